package io.maml4j.mujoco;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Measures single-threaded simulation speed the way an RL sampler uses it: per environment step,
 * set random controls, advance {@value #FRAME_SKIP} MuJoCo steps, read qpos and qvel; reset every
 * {@value #EPISODE_LENGTH} environment steps.
 *
 * <p>Usage: {@code MjBench [mjcf=environments/mujoco/half_cheetah.xml] [envStepsPerRun=20000]
 * [runs=7]}. Prints each run and the median, since timings on shared machines vary by tens of
 * percent from run to run.
 */
public final class MjBench {
  /** MuJoCo steps per environment step, as in the classic HalfCheetah and Ant environments. */
  public static final int FRAME_SKIP = 5;

  /** Environment steps between resets, the classic episode length. */
  public static final int EPISODE_LENGTH = 1000;

  private MjBench() {}

  /** Runs the benchmark; see the class comment for the arguments. */
  public static void main(String[] args) {
    Path mjcf = Path.of(args.length > 0 ? args[0] : "environments/mujoco/half_cheetah.xml");
    int envSteps = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 7;
    if (envSteps < 1 || runs < 1) {
      throw new IllegalArgumentException("envStepsPerRun and runs must be at least 1, got "
          + envSteps + " and " + runs);
    }
    MuJoCo.requireAvailable();
    try (MjModel model = MjModel.load(mjcf); MjSim sim = model.newSim()) {
      SplittableRandom rng = new SplittableRandom(0);
      // Warm-up run lets the JIT compile the loop and JNA's dispatch before timing.
      run(sim, rng, Math.min(envSteps, 5_000));
      double[] rates = new double[runs];
      for (int r = 0; r < runs; r++) {
        long start = System.nanoTime();
        run(sim, rng, envSteps);
        rates[r] = envSteps / ((System.nanoTime() - start) * 1e-9);
        System.out.printf(Locale.ROOT, "run %d: %,.0f env steps/s%n", r + 1, rates[r]);
      }
      Arrays.sort(rates);
      double median = runs % 2 == 1
          ? rates[runs / 2]
          : (rates[runs / 2 - 1] + rates[runs / 2]) / 2;
      System.out.printf(Locale.ROOT,
          "%s: median %,.0f env steps/s (%,.0f mj_step/s), frame skip %d, %d runs x %d env"
              + " steps, 1 thread, MuJoCo %s%n",
          mjcf.getFileName(), median, median * FRAME_SKIP, FRAME_SKIP, runs, envSteps,
          MuJoCo.formatVersion(MuJoCo.version()));
    }
  }

  private static void run(MjSim sim, SplittableRandom rng, int envSteps) {
    MjModel model = sim.model();
    double[] low = model.ctrlLow();
    double[] high = model.ctrlHigh();
    double[] ctrl = new double[model.nu()];
    double[] qpos = new double[model.nq()];
    double[] qvel = new double[model.nv()];
    double checksum = 0;
    sim.reset();
    for (int t = 0; t < envSteps; t++) {
      if (t > 0 && t % EPISODE_LENGTH == 0) {
        sim.reset();
      }
      for (int i = 0; i < ctrl.length; i++) {
        ctrl[i] = rng.nextDouble(Math.max(low[i], -1), Math.min(high[i], 1));
      }
      sim.setCtrl(ctrl);
      sim.step(FRAME_SKIP);
      sim.qpos(qpos);
      sim.qvel(qvel);
      checksum += qpos[0] + qvel[0];
    }
    // Using the observations keeps the JIT from treating the reads as dead code.
    if (Double.isNaN(checksum)) {
      throw new IllegalStateException("simulation produced NaN");
    }
  }
}
