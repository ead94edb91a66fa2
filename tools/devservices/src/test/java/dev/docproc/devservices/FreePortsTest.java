package dev.docproc.devservices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  @Test
  void portsAreDistinctAndNobodyListensOnThem() {
    int[] ports = FreePorts.pick(8);

    assertEquals(8, Arrays.stream(ports).distinct().count());
    for (int port : ports) {
      assertFalse(Readiness.acceptsConnections(port), "port " + port + " is in use");
    }
  }
}
