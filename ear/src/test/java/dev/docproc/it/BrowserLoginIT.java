package dev.docproc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.it.support.Browser;
import dev.docproc.it.support.DemoUser;
import dev.docproc.it.support.Deployments;
import dev.docproc.it.support.TestServices;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** A person opens the UI, logs in on Keycloak's own page, and sees who they are. */
@ExtendWith(ArquillianExtension.class)
class BrowserLoginIT {

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return Deployments.docprocEar();
  }

  @Test
  void bobLogsInThroughKeycloakWithPkceAndSeesHisNameAndTenant() throws Exception {
    DemoUser bob = DemoUser.BOB;
    try (Browser browser = Browser.start()) {
      WebDriver page = browser.driver();
      var wait = new WebDriverWait(page, Duration.ofSeconds(30));

      page.get(TestServices.baseUrl().toString());
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
      String loginUrl = page.getCurrentUrl();
      assertTrue(
          loginUrl.startsWith(TestServices.realmUrl() + "/protocol/openid-connect/auth"), loginUrl);
      assertTrue(loginUrl.contains("code_challenge_method=S256"), "no PKCE: " + loginUrl);
      assertTrue(loginUrl.contains("client_id=docproc-ui"), loginUrl);

      page.findElement(By.id("username")).sendKeys(bob.username());
      page.findElement(By.id("password")).sendKeys(bob.password());
      page.findElement(By.id("kc-login")).click();

      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("user-name")));
      browser.screenshot("signed-in-as-bob");
      assertTrue(page.getCurrentUrl().startsWith(TestServices.baseUrl().toString()));
      assertEquals(bob.username(), page.findElement(By.id("user-name")).getText());
      assertEquals(bob.tenant(), page.findElement(By.id("tenant")).getText());
      assertEquals(String.join(", ", bob.roles()), page.findElement(By.id("roles")).getText());
    }
  }
}
