package io.maml4j.meta;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.policy.Distribution;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * MAML with TRPO as the meta-optimiser (Finn et al. 2017, Section 5.2; Schulman et al. 2015):
 * the meta-gradient of the post-adaptation surrogate flows through the inner step, the step
 * direction solves F_meta x = g by conjugate gradient, is scaled to the KL radius, and a
 * backtracking line search accepts it only if the surrogate improves within that radius.
 *
 * <p>The curvature F_meta is the Hessian of the mean KL between the old and new adapted
 * policies as a function of θ. At the old parameters the KL's gradient vanishes, so that
 * Hessian is exactly J^T F J with J = ∂θ'/∂θ = I - α ∇²L_train(θ) and F the Fisher at θ'.
 * This needs only Hessian-vector products of the inner loss and Fisher products, not the third
 * derivatives that differentiating the KL twice through the adaptation would take.
 */
public final class MamlTrpo implements MetaLearner {
  private final Policy policy;
  private final MamlConfig config;
  private final java.util.concurrent.ExecutorService[] workers;
  private final boolean exploration;
  private final TaskLoss innerLoss;

  /** Uses one worker thread per available processor. */
  public MamlTrpo(Policy policy, MamlConfig config) {
    this(policy, config, Runtime.getRuntime().availableProcessors());
  }

  /**
   * @param threads worker threads the meta-step splits the tasks over; results depend on the
   *     split only through floating-point summation order, and are reproducible for a fixed count
   */
  public MamlTrpo(Policy policy, MamlConfig config, int threads) {
    this(policy, config, threads, TaskLoss.REINFORCE, false);
  }

  /**
   * @param innerLoss the inner step's estimator ({@link TaskLoss#REINFORCE}, {@link TaskLoss#LVC}
   *     or {@link TaskLoss#DICE}); the meta-gradient differentiates through its gradient
   * @param exploration add E-MAML's exploration term ({@link Exploration}) to the surrogate; the
   *     post-update batches then need their rewards ({@link Batch#episodic()})
   */
  public MamlTrpo(Policy policy, MamlConfig config, int threads, TaskLoss innerLoss, boolean exploration) {
    this.exploration = exploration;
    this.innerLoss = innerLoss;
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.policy = policy;
    this.config = config;
    this.workers = new java.util.concurrent.ExecutorService[threads];
    for (int i = 0; i < threads; i++) {
      String name = "maml4j-meta-" + i;
      // Daemon threads: a learner needs no shutdown, and each thread keeps its own arenas.
      workers[i] = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
      });
    }
  }

  public MamlConfig config() {
    return config;
  }

  @Override
  public Params adapt(Params theta, Batch train) {
    try (Arena arena = Arena.open()) {
      Adaptation a = inner(theta.detach(), train, false);
      return a.params().map(arena::escape);
    }
  }

  /**
   * Builds the differentiable adaptation θ → θ' (second order unless configured first-order).
   */
  public Adaptation differentiableAdaptation(Params thetaVars, Batch train) {
    return inner(thetaVars, train, !config.firstOrder());
  }

  private Adaptation inner(Params theta, Batch train, boolean createGraph) {
    return Adaptation.adapt(policy, innerLoss, theta.repeatPerTask(train.tasks()), train, new double[] {config.fastLr()},
        config.innerSteps(), createGraph);
  }

  /** The meta-objective: surrogate loss of the adapted policies on the post-adaptation batch. */
  public Tensor objective(Params thetaVars, Batch train, Batch valid, Tensor oldLogProb) {
    Adaptation a = differentiableAdaptation(thetaVars, train);
    return Losses.surrogate(policy.forward(a.params(), valid.observations()), oldLogProb, valid);
  }

  /** The meta-gradient ∇θ of {@link #objective}, through the inner step. */
  public Params metaGradient(Params theta, Batch train, Batch valid, Tensor oldLogProb) {
    Params vars = theta.asVariables();
    Tensor loss = objective(vars, train, valid, oldLogProb);
    return Params.of(vars.names(), Grad.grad(loss, vars.list(), false));
  }

  /**
   * Curvature-vector products of the mean KL through the adaptation at the current θ:
   * v ↦ J^T F J v + damping v. Holds the recorded graphs of one meta-batch.
   */
  public final class Curvature {
    private final Adaptation adaptation;
    private final List<Tensor> phi;
    private final Params klGrad;
    private final int tasks;

    Curvature(Adaptation adaptation, Distribution old, Batch valid) {
      this.adaptation = adaptation;
      this.tasks = valid.tasks();
      Params phiParams = adaptation.params().detach().asVariables();
      this.phi = phiParams.list();
      Tensor kl = Losses.kl(policy.forward(phiParams, valid.observations()), old, valid);
      this.klGrad = Params.of(phiParams.names(), Grad.grad(kl, phi, true));
    }

    /** J u for a shared direction u: per-task directions. */
    Params jacobian(Params u) {
      Params w = u.repeatPerTask(tasks);
      if (config.firstOrder()) {
        return w;
      }
      for (int s = 0; s < adaptation.stepGrads().size(); s++) {
        w = w.zip(hessianInner(s, w), (a, b) -> a.sub(b.scale(config.fastLr())));
      }
      return w;
    }

    /** J^T w for per-task w: a shared direction. */
    Params jacobianTranspose(Params w) {
      if (!config.firstOrder()) {
        for (int s = adaptation.stepGrads().size() - 1; s >= 0; s--) {
          w = w.zip(hessianInner(s, w), (a, b) -> a.sub(b.scale(config.fastLr())));
        }
      }
      return w.map(t -> {
        long[] s = t.shape();
        return t.sum(0).reshape(java.util.Arrays.copyOfRange(s, 1, s.length));
      });
    }

    private Params hessianInner(int step, Params w) {
      Params g = adaptation.stepGrads().get(step);
      Params x = adaptation.stepInputs().get(step);
      return Params.of(x.names(), Grad.grad(g.dot(w), x.list(), false));
    }

    /** F w for per-task w, at the adapted parameters. */
    Params fisher(Params w) {
      return Params.of(klGrad.names(), Grad.grad(klGrad.dot(w), phi, false));
    }

    /** J^T F J v, in the current arena. */
    Params product(Params v) {
      return jacobianTranspose(fisher(jacobian(v)));
    }

    /** (J^T F J + damping I) v. */
    public Params apply(Params v) {
      try (Arena arena = Arena.open()) {
        Params out = product(v).zip(v, (a, b) -> a.add(b.scale(config.cgDamping())));
        return out.map(arena::escape);
      }
    }
  }

  /** Builds the curvature operator at θ for a meta-batch (for tests and diagnostics too). */
  public Curvature curvature(Params thetaVars, Batch train, Batch valid) {
    Adaptation a = differentiableAdaptation(thetaVars, train);
    Distribution old = policy.forward(a.params(), valid.observations()).detach();
    return new Curvature(a, old, valid);
  }

  @Override
  public StepResult step(Params theta, Batch train, Batch valid) {
    int n = Math.min(workers.length, train.tasks());
    List<Group> groups = new ArrayList<>(n);
    // E-MAML's credits are standardised over the whole meta-batch, so they are computed before the split.
    double[] credits = exploration ? Exploration.credits(valid) : null;
    for (int i = 0; i < n; i++) {
      int from = i * train.tasks() / n;
      int to = (i + 1) * train.tasks() / n;
      groups.add(new Group(i, train.slice(from, to), valid.slice(from, to),
          credits == null ? null : java.util.Arrays.copyOfRange(credits, from, to)));
    }
    try {
      List<Group.Setup> setups = all(groups, g -> g.setup(theta));
      double lossBefore = 0;
      Params grad = null;
      for (Group.Setup su : setups) {
        lossBefore += su.loss();
        grad = grad == null ? su.grad() : ConjugateGradient.axpy(grad, 1.0, su.grad());
      }
      // Conjugate gradient runs in float64 whatever the training dtype, with only the curvature
      // products in that dtype. The curvature is ill-conditioned (damping 1e-5 against eigenvalues
      // in the hundreds), so rounding shows in the low-curvature part of the direction: on trained
      // navigation policies all-float32 CG directions were 0.72-0.97 cosine-aligned with float64's.
      // Float64 recurrences recover part of that (0.72 -> 0.99 on one batch) at no measurable
      // cost; the rest comes from the float32 products, which in float64 would double the step.
      DataType type = theta.list().get(0).dataType();
      java.util.function.UnaryOperator<Params> curvature = v -> {
        Params vt = v.map(t -> t.cast(type));
        Params sum = null;
        for (Params p : all(groups, g -> g.product(vt))) {
          Params p64 = p.map(t -> t.cast(DataType.DOUBLE));
          sum = sum == null ? p64 : ConjugateGradient.axpy(sum, 1.0, p64);
        }
        return ConjugateGradient.axpy(sum, config.cgDamping(), v);
      };
      Params dir;
      double shs;
      try (Arena arena = Arena.open()) {
        Params dir64 = ConjugateGradient.solve(curvature, grad.map(t -> t.cast(DataType.DOUBLE)), config.cgIters());
        shs = 0.5 * dir64.dot(curvature.apply(dir64)).item();
        dir = dir64.map(t -> arena.escape(t.cast(type)));
      }
      if (!(shs > 0) || !Double.isFinite(shs)) {
        return new StepResult(theta, lossBefore, lossBefore, 0.0, false, 0);
      }
      double scale = 1.0 / Math.sqrt(shs / config.maxKl());
      double size = 1.0;
      for (int i = 0; i < config.lsMaxSteps(); i++) {
        final double s = size * scale;
        Params candidate = theta.zip(dir, (t, d) -> Tensor.constant(t.value().sub(d.value().mul(s))));
        double lossAfter = 0;
        double kl = 0;
        for (double[] lk : all(groups, g -> g.evaluate(candidate))) {
          lossAfter += lk[0];
          kl += lk[1];
        }
        if (lossAfter < lossBefore && kl < config.maxKl()) {
          return new StepResult(candidate, lossBefore, lossAfter, kl, true, i + 1);
        }
        size *= config.lsBacktrackRatio();
      }
      return new StepResult(theta, lossBefore, lossBefore, 0.0, false, config.lsMaxSteps());
    } finally {
      all(groups, g -> {
        g.close();
        return null;
      });
    }
  }

  private <T> List<T> all(List<Group> groups, java.util.function.Function<Group, T> task) {
    List<java.util.concurrent.Future<T>> futures = new ArrayList<>(groups.size());
    for (Group g : groups) {
      futures.add(workers[g.index].submit(() -> task.apply(g)));
    }
    List<T> out = new ArrayList<>(groups.size());
    for (java.util.concurrent.Future<T> f : futures) {
      try {
        out.add(f.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted during a meta-step", e);
      } catch (java.util.concurrent.ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof RuntimeException re) {
          throw re;
        }
        if (c instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(c);
      }
    }
    return out;
  }

  /**
   * A slice of the meta-batch's tasks whose graphs live on one worker thread for the duration of
   * a meta-step. Every task's losses are independent, so the meta-gradient, the curvature
   * products and the line-search values are sums of per-group parts.
   */
  private final class Group {
    record Setup(double loss, Params grad) {}

    final int index;
    final Batch train;
    final Batch valid;
    final double[] credits;
    Arena arena;
    Distribution old;
    Tensor oldLogProb;
    Tensor preLogProb;
    Curvature curvature;

    Group(int index, Batch train, Batch valid, double[] credits) {
      this.index = index;
      this.train = train;
      this.valid = valid;
      this.credits = credits;
    }

    /** The surrogate, plus E-MAML's term at the pre-update policy when exploring. */
    Tensor loss(Params theta, Distribution post) {
      Tensor loss = Losses.surrogate(post, oldLogProb, valid);
      return credits == null ? loss
          : loss.add(Exploration.term(policy.forward(theta, train.observations()), preLogProb, train, credits));
    }

    Setup setup(Params theta) {
      arena = Arena.open();
      Params vars = theta.asVariables();
      Adaptation a = differentiableAdaptation(vars, train);
      Distribution dist = policy.forward(a.params(), valid.observations());
      old = dist.detach();
      oldLogProb = dist.logProb(valid.actions()).detach();
      if (credits != null) {
        preLogProb = policy.forward(theta, train.observations()).logProb(train.actions()).detach();
      }
      Tensor loss = loss(vars, dist);
      Params grad;
      try (Arena scratch = Arena.open()) {
        grad = Params.of(vars.names(), Grad.grad(loss, vars.list(), false)).map(Tensor::copyToHeap);
      }
      curvature = new Curvature(a, old, valid);
      return new Setup(loss.item(), grad);
    }

    Params product(Params v) {
      try (Arena a = Arena.open()) {
        return curvature.product(v).map(Tensor::copyToHeap);
      }
    }

    double[] evaluate(Params candidate) {
      try (Arena a = Arena.open()) {
        Adaptation an = inner(candidate, train, false);
        Distribution dn = policy.forward(an.params(), valid.observations());
        return new double[] {loss(candidate, dn).item(), Losses.kl(dn, old, valid).item()};
      }
    }

    void close() {
      if (arena != null) {
        arena.close();
        arena = null;
      }
    }
  }
}
