package io.maml4j.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.policy.ConvSpec;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The phase breakdown counts work in the order forward < first order < second order. */
class FewShotBenchTest {
  @Test
  void when_measuring_a_meta_batch_expect_flops_to_grow_from_forward_to_second_order() {
    SplittableRandom rng = new SplittableRandom(1);
    List<ImageClass> classes = new ArrayList<>();
    for (int c = 0; c < 6; c++) {
      byte[] px = new byte[4 * 64];
      for (int i = 0; i < px.length; i++) {
        px[i] = (byte) rng.nextInt(256);
      }
      classes.add(new ImageClass("c" + c, "g", "train", 8, 8, px));
    }
    FewShotClassification d = new FewShotClassification("toy", classes, "train", 3, 1, 2);
    Policy p = Policies.create(PolicySpec.convClassifier(new ConvSpec(new int[] {4}, 3, "max", true)),
        d.observationSpace(), d.actionSpace());
    List<FewShotBench.Phase> ph = FewShotBench.measure(p, d, 2, 0.4, DataType.FLOAT, 1, 0, 1);
    assertEquals(List.of("forward", "backward (first order)", "second-order term", "meta-gradient (second order)"),
        ph.stream().map(FewShotBench.Phase::name).toList());
    assertTrue(ph.get(0).flops() > 0 && ph.get(1).flops() > 0 && ph.get(2).flops() > 0, ph.toString());
    assertEquals(ph.get(3).flops(), ph.get(0).flops() + ph.get(1).flops() + ph.get(2).flops());
  }
}
