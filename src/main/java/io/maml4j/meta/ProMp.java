package io.maml4j.meta;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Tape;
import io.maml4j.autodiff.Tensor;
import io.maml4j.optim.Adam;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * ProMP, proximal meta-policy search (Rothfuss et al., ICLR 2019, Algorithm 1): on the samples
 * of one meta-iteration, {@link ProMpConfig#steps()} Adam steps on {@link ProMpObjective}, each
 * re-adapting θ through the inner loop with the LVC estimator, the clipped likelihood ratio
 * keeping the adapted policies near the ones that sampled, and the KL penalty η keeping the
 * pre-update policy near the one that sampled. No conjugate gradient and no line search.
 *
 * <p>Mutable: owns its {@link Adam} state and the current η (which changes only when {@code
 * kl_target} is set). Splits the tasks over daemon worker threads, each keeping its tasks'
 * samples and graphs in its own arenas, as {@link MamlTrpo} does.
 */
public final class ProMp implements MetaLearner {
  private final Policy policy;
  private final ProMpConfig config;
  private final ProMpObjective objective;
  private final Adam adam;
  private double klCoeff;
  private final ExecutorService[] workers;

  /** Uses one worker thread per available processor. */
  public ProMp(Policy policy, ProMpConfig config, String estimator, double fastLr, int innerSteps, Adam adam) {
    this(policy, config, estimator, fastLr, innerSteps, adam, Runtime.getRuntime().availableProcessors());
  }

  /**
   * @param estimator the inner estimator, {@code lvc} (ProMP) or {@code dice}
   * @param fastLr inner step size α
   * @param innerSteps inner gradient steps (at least 1)
   * @param adam the outer optimiser (the paper: learning rate 1e-3)
   * @param threads worker threads the tasks are split over (daemon threads, as MAML-TRPO's);
   *     results depend on the split only through floating-point summation order
   */
  public ProMp(Policy policy, ProMpConfig config, String estimator, double fastLr, int innerSteps, Adam adam,
      int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.policy = policy;
    this.config = config;
    this.objective = new ProMpObjective(policy, estimator, fastLr, innerSteps, config.clipEps());
    this.adam = adam;
    this.klCoeff = config.klCoeff();
    this.workers = new ExecutorService[threads];
    for (int i = 0; i < threads; i++) {
      String name = "maml4j-promp-" + i;
      workers[i] = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
      });
    }
  }

  /** The outer optimiser and its state. */
  public Adam optimizer() {
    return adam;
  }

  /** The current weight η of the KL penalty. */
  public double klCoeff() {
    return klCoeff;
  }

  public ProMpObjective objective() {
    return objective;
  }

  @Override
  public Params adapt(Params theta, Batch train) {
    try (Arena arena = Arena.open()) {
      Params t = theta.detach();
      Tensor logp = policy.forward(t, train.observations()).logProb(train.actions()).detach();
      return objective.adapt(t.repeatPerTask(train.tasks()), train, logp, false).map(arena::escape);
    }
  }

  /**
   * {@link ProMpConfig#steps()} Adam steps on the same samples. {@code lossBefore} is the
   * objective at θ_old, {@code lossAfter} the one at the last step's θ before its update (what
   * the last gradient was taken at), {@code kl} the pre-update KL at the new θ, which drives the
   * adaptive η.
   */
  @Override
  public StepResult step(Params theta, Batch train, Batch valid) {
    int n = Math.min(workers.length, train.tasks());
    List<Group> groups = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int from = i * train.tasks() / n;
      int to = (i + 1) * train.tasks() / n;
      groups.add(new Group(i, train.slice(from, to), valid.slice(from, to)));
    }
    try {
      all(groups, g -> g.setup(theta));
      Params current = theta;
      double before = Double.NaN;
      double last = Double.NaN;
      for (int k = 0; k < config.steps(); k++) {
        final Params at = current;
        double loss = 0;
        Params grad = null;
        for (ProMpObjective.Result r : all(groups, g -> g.evaluate(at))) {
          loss += r.loss();
          grad = grad == null ? r.grad() : grad.zip(r.grad(), (a, b) -> Tensor.constant(a.value().add(b.value())));
        }
        before = k == 0 ? loss : before;
        last = loss;
        current = adam.step(current, grad).map(Tensor::copyToHeap);
      }
      final Params next = current;
      double kl = 0;
      for (double x : all(groups, g -> g.kl(next))) {
        kl += x;
      }
      klCoeff = config.adaptKlCoeff(klCoeff, kl);
      return new StepResult(next, before, last, kl, true, config.steps());
    } finally {
      all(groups, g -> {
        g.close();
        return null;
      });
    }
  }

  private <T> List<T> all(List<Group> groups, Function<Group, T> task) {
    List<Future<T>> futures = new ArrayList<>(groups.size());
    for (Group g : groups) {
      futures.add(workers[g.index].submit(() -> task.apply(g)));
    }
    List<T> out = new ArrayList<>(groups.size());
    for (Future<T> f : futures) {
      try {
        out.add(f.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted during a meta-step", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        if (e.getCause() instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(e.getCause());
      }
    }
    return out;
  }

  /**
   * A slice of the tasks whose samples live on one worker thread for a meta-step: every task's
   * terms are independent, so values and gradients are sums of the groups' parts.
   */
  private final class Group {
    final int index;
    final Batch train;
    final Batch valid;
    Arena arena;
    ProMpObjective.Samples samples;

    Group(int index, Batch train, Batch valid) {
      this.index = index;
      this.train = train;
      this.valid = valid;
    }

    Void setup(Params theta) {
      arena = Arena.open();
      samples = objective.samples(theta, train, valid);
      return null;
    }

    ProMpObjective.Result evaluate(Params theta) {
      try (Arena a = Arena.open()) {
        ProMpObjective.Result r = objective.evaluate(theta, samples, klCoeff);
        return new ProMpObjective.Result(r.loss(), r.surrogate(), r.kl(), r.grad().map(Tensor::copyToHeap));
      }
    }

    double kl(Params theta) {
      try (Arena a = Arena.open(); Tape.Scope ng = Tape.noGrad()) {
        return samples.trainOld().kl(policy.forward(theta, train.observations())).mul(train.weights()).sum().item()
            / train.totalTasks();
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
