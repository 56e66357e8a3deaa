package io.maml4j.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.baseline.Advantages;
import io.maml4j.baseline.LinearFeatureBaseline;
import io.maml4j.env.Box;
import io.maml4j.env.Discrete;
import io.maml4j.env.Task;
import io.maml4j.envs.Navigation2D;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.sampler.Episodes;
import io.maml4j.sampler.VectorSampler;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The LVC and DiCE inner losses in float64 on fixed samples: their first derivatives against
 * REINFORCE's, their second derivatives against finite differences of their gradients, and their
 * Hessian estimates on a two-state MDP against the exact Hessian of the expected return.
 */
class InnerEstimatorsTest {
  private static final double GAMMA = 0.9;
  private final Navigation2D nav = new Navigation2D(-0.5, 0.5, 6);
  private final Policy gaussian = Policies.create(
      new PolicySpec("gaussian-mlp", new int[] {5, 4}, "tanh", 1.0, 1e-6), nav.observationSpace(), nav.actionSpace());

  private record Fixture(Params theta, Batch batch, double[] returns, double[] values, int horizon) {}

  /** Two navigation tasks, three episodes each, with the DiCE time structure. */
  private Fixture navigation(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Params theta = gaussian.init(rng, DataType.DOUBLE);
    theta = theta.map(t -> Tensor.variable(t.value().add(GradCheckRandom.uniform(rng, t.shape(), 0.2))));
    List<Task> tasks = nav.sample(2, rng);
    Episodes ep = new VectorSampler(nav).sample(gaussian, theta, tasks, 3, rng);
    LinearFeatureBaseline bl = new LinearFeatureBaseline();
    double[] values = Advantages.values(ep, GAMMA, bl);
    Batch b = Batch.of(ep, Advantages.compute(ep, GAMMA, 1.0, bl, true), new Batch.Rewards(GAMMA, values),
        DataType.DOUBLE);
    return new Fixture(theta, b, Advantages.returns(ep, GAMMA), values, ep.horizon());
  }

  private static Params grad(TaskLoss loss, Policy p, Params theta, Batch b) {
    Params vars = theta.detach().asVariables();
    return Params.of(vars.names(), Grad.grad(loss.apply(p, vars, b), vars.list(), false));
  }

  private static double maxAbsDiff(Params a, Params b) {
    double worst = 0;
    for (String n : a.names()) {
      double[] x = a.get(n).toDoubles();
      double[] y = b.get(n).toDoubles();
      for (int i = 0; i < x.length; i++) {
        worst = Math.max(worst, Math.abs(x[i] - y[i]));
      }
    }
    return worst;
  }

  private static double maxAbs(Params a) {
    return a.list().stream().flatMapToDouble(t -> java.util.Arrays.stream(t.toDoubles())).map(Math::abs).max()
        .orElse(0);
  }

  @Test
  void when_lvc_is_differentiated_once_expect_the_reinforce_gradient() {
    Fixture f = navigation(3);
    Params reinforce = grad(TaskLoss.REINFORCE, gaussian, f.theta, f.batch);
    Params lvc = grad(TaskLoss.LVC, gaussian, f.theta, f.batch);
    assertTrue(maxAbs(reinforce) > 1e-3, "degenerate fixture: gradient " + maxAbs(reinforce));
    assertTrue(maxAbsDiff(reinforce, lvc) <= 1e-10, "LVC gradient differs by " + maxAbsDiff(reinforce, lvc));
    // Its value is the weighted advantage sum, whatever θ: the box is 1.
    assertEquals(-f.batch.advantages().mul(f.batch.weights()).sum().item(),
        TaskLoss.LVC.apply(gaussian, f.theta, f.batch).item(), 1e-12);
  }

  @Test
  void when_dice_is_differentiated_once_expect_reinforce_with_discounted_advantages_from_step_zero() {
    // DiCE's first derivative is REINFORCE's with advantages γ^t (G_t - b(s_t)): the reward-to-go
    // discounted from the episode's start, minus the discounted baseline, unnormalised.
    Fixture f = navigation(5);
    Batch b = f.batch;
    double[] adv = new double[f.returns.length];
    double[] valid = b.episodic().valid().toDoubles();
    for (int i = 0; i < adv.length; i++) {
      int t = i % f.horizon;
      adv[i] = valid[i] * Math.pow(GAMMA, t) * (f.returns[i] - f.values[i]);
    }
    Batch withReturns = new Batch(b.observations(), b.actions(), Tensor.of(adv, DataType.DOUBLE,
        b.advantages().shape()), b.weights(), b.tasks());
    Params reinforce = grad(TaskLoss.REINFORCE, gaussian, f.theta, withReturns);
    Params dice = grad(TaskLoss.DICE, gaussian, f.theta, b);
    assertTrue(maxAbs(reinforce) > 1e-3, "degenerate fixture: gradient " + maxAbs(reinforce));
    assertTrue(maxAbsDiff(reinforce, dice) <= 1e-10, "DiCE gradient differs by " + maxAbsDiff(reinforce, dice));
    // Its value is minus the weighted discounted rewards: the baseline term's value is 0.
    assertEquals(-b.episodic().discountedRewards().mul(b.weights()).sum().item(),
        TaskLoss.DICE.apply(gaussian, f.theta, b).item(), 1e-12);
  }

  @Test
  void when_a_batch_has_no_time_structure_expect_dice_to_say_what_it_needs() {
    Fixture f = navigation(7);
    Batch b = f.batch;
    Batch plain = new Batch(b.observations(), b.actions(), b.advantages(), b.weights(), b.tasks());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TaskLoss.DICE.apply(gaussian, f.theta, plain));
    assertTrue(e.getMessage().startsWith("the dice estimator needs the episodes' rewards"), e.getMessage());
    assertEquals(List.of("reinforce", "lvc", "dice"), TaskLoss.ESTIMATORS);
    assertTrue(TaskLoss.named("lvc") == TaskLoss.LVC && TaskLoss.named("dice") == TaskLoss.DICE);
  }

  /**
   * H v by differentiating the surrogate twice, against central differences of its gradient with
   * the stop-gradient held at θ0 (the surrogate is a function of θ only once ⊥ is fixed).
   */
  @Test
  void when_lvc_and_dice_are_differentiated_twice_expect_central_differences_of_their_gradients() {
    Fixture f = navigation(11);
    Batch b = f.batch;
    SplittableRandom rng = new SplittableRandom(2);
    Params v = f.theta.map(t -> Tensor.constant(GradCheckRandom.uniform(rng, t.shape(), 1.0)));
    Tensor ref = gaussian.forward(f.theta, b.observations()).logProb(b.actions()).detach();
    TaskLoss lvcFrozen = (p, params, batch) -> InnerEstimators.lvc(p.forward(params, batch.observations()), ref, batch);
    TaskLoss diceFrozen = (p, params, batch) -> InnerEstimators.dice(p, params, batch, ref);
    double[] lvc = hvpError(TaskLoss.LVC, lvcFrozen, f.theta, b, v);
    double[] dice = hvpError(TaskLoss.DICE, diceFrozen, f.theta, b, v);
    assertTrue(lvc[0] <= 1e-6, "LVC Hessian-vector product: relative error " + lvc[0]);
    assertTrue(dice[0] <= 1e-6, "DiCE Hessian-vector product: relative error " + dice[0]);
    // The two curvatures differ (DiCE keeps the cross-time terms), so each check is its own.
    Params hl = hvp(TaskLoss.LVC, f.theta, b, v);
    Params hd = hvp(TaskLoss.DICE, f.theta, b, v);
    assertTrue(maxAbsDiff(hl, hd) > 1e-3 * Math.max(maxAbs(hl), maxAbs(hd)), "LVC and DiCE Hessians coincide");
    // And REINFORCE's Hessian differs from LVC's although their gradients agree.
    assertTrue(maxAbsDiff(hl, hvp(TaskLoss.REINFORCE, f.theta, b, v)) > 1e-3 * maxAbs(hl));
  }

  private Params hvp(TaskLoss loss, Params theta, Batch b, Params v) {
    Params vars = theta.detach().asVariables();
    Params g = Params.of(vars.names(), Grad.grad(loss.apply(gaussian, vars, b), vars.list(), true));
    return Params.of(vars.names(), Grad.grad(g.dot(v), vars.list(), false));
  }

  /** {relative error of H v against the central difference, norm of H v}. */
  private double[] hvpError(TaskLoss loss, TaskLoss frozen, Params theta, Batch b, Params v) {
    Params hv = hvp(loss, theta, b, v);
    double h = 1e-5;
    Params plus = grad(frozen, gaussian, theta.zip(v, (t, d) -> Tensor.constant(t.value().add(d.value().mul(h)))), b);
    Params minus = grad(frozen, gaussian, theta.zip(v, (t, d) -> Tensor.constant(t.value().sub(d.value().mul(h)))),
        b);
    Params fd = plus.zip(minus, (p, m) -> p.sub(m).scale(1 / (2 * h)));
    double scale = Math.max(maxAbs(hv), maxAbs(fd));
    assertTrue(scale > 1e-3, "degenerate Hessian-vector product " + scale);
    return new double[] {maxAbsDiff(hv, fd) / scale, scale};
  }

  @Test
  void when_maml_trpo_adapts_with_lvc_expect_the_reinforce_step_and_a_different_meta_gradient() {
    Fixture f = navigation(13);
    MamlConfig cfg = new MamlConfig(0.5, 1, false, 0.01, 10, 1e-5, 15, 0.8);
    MamlTrpo reinforce = new MamlTrpo(gaussian, cfg);
    MamlTrpo lvc = new MamlTrpo(gaussian, cfg, TaskLoss.LVC, false);
    Params a = reinforce.innerLoop().adapted(f.theta, f.batch);
    Params b = lvc.innerLoop().adapted(f.theta, f.batch);
    assertTrue(maxAbsDiff(a, b) <= 1e-12, "LVC's inner step differs from REINFORCE's: " + maxAbsDiff(a, b));
    // The post-update batch: the training one serves, what matters is the second-order term.
    Params gr = metaGradient(reinforce, f.theta, f.batch);
    Params gl = metaGradient(lvc, f.theta, f.batch);
    assertTrue(maxAbsDiff(gr, gl) > 1e-4 * maxAbs(gr), "LVC's meta-gradient equals REINFORCE's");
    // The structured curvature products compute REINFORCE's inner Hessian: other estimators
    // must take the tape's products of their own.
    assertTrue(new MamlTrpo(gaussian, cfg, TaskLoss.REINFORCE, false, true).structuredCurvature());
    for (TaskLoss other : List.of(TaskLoss.LVC, TaskLoss.DICE)) {
      assertTrue(!new MamlTrpo(gaussian, cfg, other, false, true).structuredCurvature());
    }
  }

  /** The task-mean meta-gradient of the tasks' setup replies, each task's work on its own slices. */
  private static Params metaGradient(MamlTrpo learner, Params theta, Batch batch) {
    java.util.List<TaskReply> replies = new java.util.ArrayList<>();
    for (int i = 0; i < batch.tasks(); i++) {
      try (TaskWork w = learner.onBatches(theta, batch.task(i), batch.task(i))) {
        replies.add(w.handle(new TaskRequest(MamlTrpo.SETUP, theta.flat())));
      }
    }
    return theta.withFlat(MetaLearner.meanVector(replies), DataType.DOUBLE);
  }

  // ---- the statistical test on a two-state MDP ----

  /**
   * Two states, two actions, H = 3, every episode starting in state 0; action a moves to state a,
   * so earlier actions decide later states (what LVC's Hessian ignores). Rewards r(s, a) are
   * fixed; a fixed state baseline b(s) exercises DiCE's baseline term.
   */
  private static final int H = 3;
  private static final double[][] REWARD = {{0.0, 0.2}, {1.0, -0.3}};
  private static final double[] BASELINE = {0.4, 0.6};
  private final Policy tabular = Policies.create(new PolicySpec("categorical-mlp", new int[0], "tanh", 1, 1e-6),
      Box.of(2, 0, 1), new Discrete(2));

  /**
   * Episodes given by their actions ([n][H]) as a batch: one task per episode when {@code perTask}
   * is false (so per-task gradients are per-episode estimates), else one task of n episodes with
   * row weights {@code episodeWeights[e] / H}.
   */
  private static Batch tabularBatch(int[][] actions, double[] episodeWeights, boolean perTask) {
    int n = actions.length;
    double[] obs = new double[n * H * 2];
    double[] act = new double[n * H];
    double[] dr = new double[n * H];
    double[] dv = new double[n * H];
    double[] adv = new double[n * H];
    double[] w = new double[n * H];
    double[] valid = new double[n * H];
    for (int e = 0; e < n; e++) {
      int s = 0;
      double[] r = new double[H];
      int[] states = new int[H];
      for (int t = 0; t < H; t++) {
        int a = actions[e][t];
        int row = e * H + t;
        states[t] = s;
        obs[row * 2 + s] = 1;
        act[row] = a;
        r[t] = REWARD[s][a];
        dr[row] = r[t];
        dv[row] = BASELINE[s];
        w[row] = episodeWeights[e] / H;
        valid[row] = 1;
        s = a;
      }
      double g = 0;
      for (int t = H - 1; t >= 0; t--) {
        g += r[t];
        adv[e * H + t] = g - BASELINE[states[t]];
      }
    }
    int tasks = perTask ? n : 1;
    long rows = perTask ? H : (long) n * H;
    return new Batch(Tensor.of(obs, DataType.DOUBLE, tasks, rows, 2), Tensor.of(act, DataType.DOUBLE, tasks, rows, 1),
        Tensor.of(adv, DataType.DOUBLE, tasks, rows, 1), Tensor.of(w, DataType.DOUBLE, tasks, rows, 1),
        new Batch.Episodic(Tensor.of(dr, DataType.DOUBLE, tasks, rows, 1), Tensor.of(dv, DataType.DOUBLE, tasks, rows, 1),
            Tensor.of(valid, DataType.DOUBLE, tasks, rows, 1), H),
        tasks, tasks);
  }

  /** Hessian of a scalar in θ, column by column, flattened in {@code theta}'s parameter order. */
  private static double[][] hessian(Tensor value, Params vars) {
    Params g = Params.of(vars.names(), Grad.grad(value, vars.list(), true));
    int n = (int) vars.size();
    double[][] out = new double[n][];
    for (int j = 0; j < n; j++) {
      out[j] = flat(Params.of(vars.names(), Grad.grad(g.dot(basis(vars, j)), vars.list(), false)));
    }
    return out;
  }

  private static Params basis(Params like, int j) {
    int[] offset = {0};
    return like.map(t -> {
      double[] d = new double[(int) t.value().length()];
      if (j >= offset[0] && j < offset[0] + d.length) {
        d[j - offset[0]] = 1;
      }
      offset[0] += d.length;
      return Tensor.of(d, DataType.DOUBLE, t.shape());
    });
  }

  private static double[] flat(Params p) {
    return p.list().stream().flatMapToDouble(t -> java.util.Arrays.stream(t.toDoubles())).toArray();
  }

  @Test
  void when_hessian_estimates_are_averaged_over_episodes_expect_dice_unbiased_and_lvc_off_by_its_bias() {
    SplittableRandom rng = new SplittableRandom(17);
    Params theta = tabular.init(rng, DataType.DOUBLE)
        .map(t -> Tensor.constant(t.value().add(GradCheckRandom.uniform(rng, t.shape(), 0.5))));
    int dim = (int) theta.size();

    // Exact: enumerate the 2^H action sequences (they fix the states); J(θ) = Σ_τ p_θ(τ) R(τ).
    int m = 1 << H;
    int[][] all = new int[m][H];
    for (int i = 0; i < m; i++) {
      for (int t = 0; t < H; t++) {
        all[i][t] = (i >> t) & 1;
      }
    }
    double[] ones = new double[m];
    java.util.Arrays.fill(ones, 1.0);
    Batch enumerated = tabularBatch(all, ones, false);
    Params vars = theta.asVariables();
    // Minus the expected return over H, to match the estimators' per-step average and sign.
    double[][] exact = hessian(expectedReturnLoss(vars, enumerated, m), vars);
    // The enumeration's Hessian itself against central differences of its gradient.
    double h = 1e-5;
    for (int j = 0; j < dim; j++) {
      Params e = basis(theta, j);
      Params up = theta.zip(e, (t, d) -> Tensor.variable(t.value().add(d.value().mul(h))));
      Params down = theta.zip(e, (t, d) -> Tensor.variable(t.value().sub(d.value().mul(h))));
      double[] gu = flat(Params.of(up.names(), Grad.grad(expectedReturnLoss(up, enumerated, m), up.list(), false)));
      double[] gd = flat(Params.of(down.names(), Grad.grad(expectedReturnLoss(down, enumerated, m), down.list(),
          false)));
      for (int i = 0; i < dim; i++) {
        assertEquals((gu[i] - gd[i]) / (2 * h), exact[j][i], 1e-8, "exact Hessian entry " + i + ", " + j);
      }
    }
    Tensor pTau = pathProbabilities(theta, enumerated, m);
    // LVC's expectation: its loss on every sequence weighted by that sequence's probability.
    double[] p = pTau.detach().toDoubles();
    Batch weighted = tabularBatch(all, p, false);
    Params at = theta.asVariables();
    double[][] lvcExpected = hessian(TaskLoss.LVC.apply(tabular, at, weighted), at);

    // Estimates: one task per sampled episode, so per-task Hessians are per-episode estimates.
    int n = 20_000;
    int[][] sampled = new int[n][H];
    double[] piAt = new double[4];
    for (int s = 0; s < 2; s++) {
      Tensor o = Tensor.of(s == 0 ? new double[] {1, 0} : new double[] {0, 1}, DataType.DOUBLE, 1, 1, 2);
      Tensor lp = tabular.forward(theta, o).logProb(Tensor.of(new double[] {1}, DataType.DOUBLE, 1, 1, 1));
      piAt[s] = Math.exp(lp.item()); // π(a = 1 | s)
    }
    for (int e = 0; e < n; e++) {
      int s = 0;
      for (int t = 0; t < H; t++) {
        int a = rng.nextDouble() < piAt[s] ? 1 : 0;
        sampled[e][t] = a;
        s = a;
      }
    }
    double[] single = new double[n];
    java.util.Arrays.fill(single, 1.0);
    Batch episodes = tabularBatch(sampled, single, true);
    double[][][] lvc = perEpisodeHessians(TaskLoss.LVC, theta, episodes, n, dim);
    double[][][] dice = perEpisodeHessians(TaskLoss.DICE, theta, episodes, n, dim);

    double biasInSe = 0;
    for (int i = 0; i < dim; i++) {
      for (int j = 0; j < dim; j++) {
        double[] d = meanAndSe(dice, i, j);
        assertTrue(Math.abs(d[0] - exact[i][j]) <= 4 * d[1] + 1e-12,
            "DiCE H[" + i + "][" + j + "] = " + d[0] + " ± " + d[1] + ", exact " + exact[i][j]);
        double[] l = meanAndSe(lvc, i, j);
        assertTrue(Math.abs(l[0] - lvcExpected[i][j]) <= 4 * l[1] + 1e-12,
            "LVC H[" + i + "][" + j + "] = " + l[0] + " ± " + l[1] + ", its expectation " + lvcExpected[i][j]);
        // Entries coupling the two states' parameters are exactly 0 in every LVC estimate (it has
        // no cross-time terms and each step sees one state), so only noisy entries measure it.
        if (l[1] > 0) {
          biasInSe = Math.max(biasInSe, Math.abs(l[0] - exact[i][j]) / l[1]);
        } else {
          assertEquals(0.0, l[0], 0.0);
        }
      }
    }
    // LVC's bias (the cross-time score products it drops) is far outside its standard error.
    assertTrue(biasInSe > 10, "LVC's mean Hessian is within " + biasInSe + " standard errors of the exact one");
  }

  /** p_θ(τ) of each enumerated action sequence ([m, 1]). */
  private Tensor pathProbabilities(Params vars, Batch enumerated, int m) {
    Tensor logp = tabular.forward(vars, enumerated.observations()).logProb(enumerated.actions());
    return logp.reshape(m, H).sum(1).exp();
  }

  /** -J(θ) / H = -Σ_τ p_θ(τ) R(τ) / H: minus the expected per-step reward, the estimators' target. */
  private Tensor expectedReturnLoss(Params vars, Batch enumerated, int m) {
    Tensor returns = enumerated.episodic().discountedRewards().reshape(m, H).sum(1);
    return pathProbabilities(vars, enumerated, m).mul(returns).sum().scale(-1.0 / H);
  }

  /** [episode][i][j]: the Hessian of each episode's (task's) loss at θ. */
  private double[][][] perEpisodeHessians(TaskLoss loss, Params theta, Batch b, int n, int dim) {
    Params vars = theta.repeatPerTask(n).asVariables();
    Params g = Params.of(vars.names(), Grad.grad(loss.apply(tabular, vars, b), vars.list(), true));
    double[][][] out = new double[n][dim][dim];
    Params shared = theta;
    for (int j = 0; j < dim; j++) {
      Params dir = basis(shared, j).repeatPerTask(n);
      Params col = Params.of(vars.names(), Grad.grad(g.dot(dir), vars.list(), false));
      // Per-task parameters are [n, ...shape]; row e of each is episode e's column j.
      int offset = 0;
      for (Tensor t : col.list()) {
        double[] d = t.toDoubles();
        int per = d.length / n;
        for (int e = 0; e < n; e++) {
          for (int k = 0; k < per; k++) {
            out[e][offset + k][j] = d[e * per + k];
          }
        }
        offset += per;
      }
    }
    return out;
  }

  private static double[] meanAndSe(double[][][] h, int i, int j) {
    int n = h.length;
    double mean = 0;
    for (double[][] x : h) {
      mean += x[i][j];
    }
    mean /= n;
    double var = 0;
    for (double[][] x : h) {
      var += (x[i][j] - mean) * (x[i][j] - mean);
    }
    var /= n - 1;
    return new double[] {mean, Math.sqrt(var / n)};
  }
}
