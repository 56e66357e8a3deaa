package io.maml4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void when_t_quantile_expect_table_values() {
    assertEquals(12.706, Stats.t975(1), 1e-3);
    assertEquals(4.303, Stats.t975(2), 1e-3);
    assertEquals(3.182, Stats.t975(3), 1e-3);
    assertEquals(2.228, Stats.t975(10), 1e-3);
    assertEquals(2.571, Stats.t975(5), 1e-3);
    assertEquals(2.262, Stats.t975(9), 1e-3);
    assertEquals(2.093, Stats.t975(19), 1e-3);
    assertEquals(2.023, Stats.t975(39), 1e-3);
    assertEquals(1.984, Stats.t975(100), 1e-3);
  }

  @Test
  void when_values_known_expect_mean_std_and_interval() {
    double[] x = {2, 4, 4, 4, 5, 5, 7, 9};
    assertEquals(5, Stats.mean(x), 0);
    assertEquals(Math.sqrt(32.0 / 7), Stats.std(x), 1e-12);
    assertEquals(Stats.t975(7) * Math.sqrt(32.0 / 7) / Math.sqrt(8), Stats.ci95(x), 1e-12);
    assertEquals(0, Stats.ci95(new double[] {3}), 0);
  }
}
