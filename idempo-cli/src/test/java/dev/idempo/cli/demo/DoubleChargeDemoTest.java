package dev.idempo.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class DoubleChargeDemoTest {

  @RepeatedTest(3)
  void withoutIdempoRetriesChargeTwiceAndWithItNeverDo() {
    long seed = System.nanoTime();
    DoubleChargeDemo demo =
        DoubleChargeDemo.builder()
            .charges(300)
            .clients(8)
            .responseLoss(0.3)
            .duplicateDelivery(0.2)
            .doubleClicks(0.2)
            .seed(seed)
            .build();

    DemoReport unguarded = demo.run(false);
    DemoReport guarded = demo.run(true);

    String context = "seed " + seed + "\n" + DemoReport.table(demo, unguarded, guarded);
    assertTrue(unguarded.doubleCharges() > 0, context);
    assertEquals(unguarded.chargesRecorded() - 300, unguarded.doubleCharges(), context);
    assertEquals(300, guarded.chargesRecorded(), context);
    assertEquals(0, guarded.doubleCharges(), context);
    assertEquals(0, guarded.wrongAnswers(), context);
    assertTrue(guarded.requestsSent() > 300, "the lossy network made clients retry: " + context);
  }

  @Test
  void badSettingsAreRejectedByName() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> DoubleChargeDemo.builder().charges(0))
            .getMessage()
            .contains("charges"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> DoubleChargeDemo.builder().responseLoss(0.95))
            .getMessage()
            .contains("loss"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> DoubleChargeDemo.builder().clients(1000))
            .getMessage()
            .contains("clients"));
  }
}
