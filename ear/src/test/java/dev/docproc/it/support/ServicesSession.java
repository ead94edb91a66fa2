package dev.docproc.it.support;

import dev.docproc.devservices.BackingServices;
import dev.docproc.devservices.FreePorts;
import dev.docproc.devservices.Layout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts PostgreSQL, Kafka and Keycloak once per test JVM, before Arquillian starts WildFly, on
 * free ports with fresh data under {@code target/it}; stops them when the JVM's tests are done.
 *
 * <p>Everything the tests and the server need is passed as system properties: the application's
 * configuration ({@code docproc.db.url}, {@code docproc.kafka.bootstrap-servers}, {@code
 * docproc.oidc.provider-url}, …, read by {@link TestServices}), and the server's JVM arguments and
 * management port (used by arquillian.xml). The {@code docproc.inference.*} settings this JVM was
 * given (ear/pom.xml: the tiny reference model) go to the server as they are.
 */
public class ServicesSession implements LauncherSessionListener {

  private BackingServices services;

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    Path work = Path.of(required("docproc.it.work"));
    int[] ports = FreePorts.pick(6);
    var backing = new BackingServices.Ports(ports[0], ports[1], ports[2], ports[3]);
    int httpPort = ports[4];
    int managementPort = ports[5];
    services = BackingServices.start(Layout.under(work), backing, BackingServices.Data.FRESH);
    Map<String, String> application = services.applicationProperties();
    application.forEach(System::setProperty);
    System.setProperty(TestServices.BASE_URL, "http://127.0.0.1:" + httpPort + "/");
    System.setProperty("docproc.it.wildfly.management-port", Integer.toString(managementPort));
    System.setProperty(
        "docproc.it.wildfly.jvm-arguments",
        wildflyJvmArguments(httpPort, managementPort, application));
  }

  private static String wildflyJvmArguments(
      int httpPort, int managementPort, Map<String, String> application) {
    List<String> arguments = new ArrayList<>();
    arguments.add("-Xms64m");
    arguments.add("-Xmx1g");
    arguments.add("-Djava.net.preferIPv4Stack=true");
    arguments.add("-Djboss.bind.address=127.0.0.1");
    arguments.add("-Djboss.bind.address.management=127.0.0.1");
    arguments.add(required("docproc.jvm.flags"));
    arguments.add("-Djboss.http.port=" + httpPort);
    arguments.add("-Djboss.management.http.port=" + managementPort);
    application.forEach((key, value) -> arguments.add(systemProperty(key, value)));
    System.getProperties().stringPropertyNames().stream()
        .filter(key -> key.startsWith(TestServices.INFERENCE_SETTINGS))
        .sorted()
        .forEach(key -> arguments.add(systemProperty(key, System.getProperty(key))));
    return String.join(" ", arguments);
  }

  /** -Dkey=value, in double quotes if it has spaces (arquillian.xml's javaVmArguments split). */
  private static String systemProperty(String key, String value) {
    if (value.contains("\"")) {
      throw new IllegalArgumentException(key + ": a double quote cannot reach the server");
    }
    String argument = "-D" + key + "=" + value;
    return value.chars().anyMatch(Character::isWhitespace) ? '"' + argument + '"' : argument;
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      throw new IllegalStateException(
          "system property " + property + " is not set: run the ITs with ./mvnw verify");
    }
    return value;
  }

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    if (services != null) {
      services.close();
    }
  }
}
