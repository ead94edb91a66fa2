package dev.docproc.devservices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RunSettingTest {

  @Test
  void unsetOrBlankMeansTheDefault() {
    assertEquals(15432, RunSetting.POSTGRES_PORT.port(Map.of()));
    assertEquals(8080, RunSetting.HTTP_PORT.port(Map.of("DOCPROC_HTTP_PORT", "  ")));
  }

  @Test
  void theEnvironmentOverridesTheDefault() {
    assertEquals(18080, RunSetting.HTTP_PORT.port(Map.of("DOCPROC_HTTP_PORT", " 18080 ")));
    assertEquals(
        "/srv/docproc", RunSetting.VAR_DIR.value(Map.of("DOCPROC_VAR_DIR", "/srv/docproc")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "65536", "-1", "80a", "http"})
  void aValueThatIsNoPortIsRejectedNamingTheVariable(String value) {
    var error =
        assertThrows(
            IllegalArgumentException.class,
            () -> RunSetting.KAFKA_PORT.port(Map.of("DOCPROC_KAFKA_PORT", value)));
    assertEquals(
        "DOCPROC_KAFKA_PORT=" + value + " is not a TCP port (1-65535)", error.getMessage());
  }
}
