// The UI shell. The page itself is only reachable after the OIDC login (authorization code +
// PKCE, done by WildFly's elytron-oidc-client), so API calls ride on that session. They say
// X-Requested-With so that an ended session answers 401 instead of a login redirect.
"use strict";

async function api(path) {
  const response = await fetch("/api/v1" + path, {
    headers: { "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" },
    credentials: "same-origin",
  });
  if (response.status === 401) {
    window.location.reload(); // session ended: the reload goes through the login again
    throw new Error("session ended");
  }
  const body = await response.json();
  if (!response.ok) {
    throw new Error(body.detail || body.title || response.statusText);
  }
  return body;
}

function showUser(me) {
  const who = document.getElementById("who");
  who.textContent = "";
  const name = document.createElement("strong");
  name.id = "user-name";
  name.textContent = me.username;
  const tenant = document.createElement("span");
  tenant.id = "tenant";
  tenant.textContent = me.tenantId;
  const roles = document.createElement("span");
  roles.id = "roles";
  roles.textContent = me.roles.join(", ");
  who.append("Signed in as ", name, " · tenant ", tenant, " · roles ", roles);
}

api("/me")
  .then(showUser)
  .catch((error) => {
    const who = document.getElementById("who");
    who.textContent = "Could not load who you are: " + error.message;
    who.classList.add("error");
  });
