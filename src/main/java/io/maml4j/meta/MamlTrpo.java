package io.maml4j.meta;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.policy.Distribution;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.List;

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

  public MamlTrpo(Policy policy, MamlConfig config) {
    this.policy = policy;
    this.config = config;
  }

  public MamlConfig config() {
    return config;
  }

  @Override
  public Params adapt(Params theta, Batch train) {
    try (Arena arena = Arena.open()) {
      Adaptation a = Adaptation.adapt(policy, theta.detach(), train, config.fastLr(), config.innerSteps(), false);
      return a.params().map(arena::escape);
    }
  }

  /**
   * Builds the differentiable adaptation θ → θ' (second order unless configured first-order).
   */
  public Adaptation differentiableAdaptation(Params thetaVars, Batch train) {
    return Adaptation.adapt(policy, thetaVars, train, config.fastLr(), config.innerSteps(), !config.firstOrder());
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
      Tensor kl = Losses.kl(old, policy.forward(phiParams, valid.observations()), valid);
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

    /** (J^T F J + damping I) v. */
    public Params apply(Params v) {
      try (Arena arena = Arena.open()) {
        Params r = jacobianTranspose(fisher(jacobian(v)));
        Params out = r.zip(v, (a, b) -> a.add(b.scale(config.cgDamping())));
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
    try (Arena arena = Arena.open()) {
      Params vars = theta.asVariables();
      Adaptation a = differentiableAdaptation(vars, train);
      Distribution dist = policy.forward(a.params(), valid.observations());
      Distribution old = dist.detach();
      Tensor oldLogProb = dist.logProb(valid.actions()).detach();
      Tensor loss = Losses.surrogate(dist, oldLogProb, valid);
      double lossBefore = loss.item();
      Params grad = Params.of(vars.names(), Grad.grad(loss, vars.list(), false));
      Curvature curv = new Curvature(a, old, valid);
      Params dir = ConjugateGradient.solve(curv::apply, grad, config.cgIters());
      double shs = 0.5 * dir.dot(curv.apply(dir)).item();
      if (!(shs > 0) || !Double.isFinite(shs)) {
        return new StepResult(theta, lossBefore, lossBefore, 0.0, false, 0);
      }
      double scale = 1.0 / Math.sqrt(shs / config.maxKl());
      Params step = dir.map(t -> t.scale(scale));
      double size = 1.0;
      for (int i = 0; i < config.lsMaxSteps(); i++) {
        final double s = size;
        try (Arena ls = Arena.open()) {
          Params candidate = theta.zip(step, (t, d) -> t.sub(d.scale(s))).detach();
          Adaptation an = Adaptation.adapt(policy, candidate, train, config.fastLr(), config.innerSteps(), false);
          Distribution dn = policy.forward(an.params(), valid.observations());
          double lossAfter = Losses.surrogate(dn, oldLogProb, valid).item();
          double kl = Losses.kl(old, dn, valid).item();
          if (lossAfter < lossBefore && kl < config.maxKl()) {
            Params kept = candidate.map(t -> arena.escape(ls.escape(t)));
            return new StepResult(kept, lossBefore, lossAfter, kl, true, i + 1);
          }
        }
        size *= config.lsBacktrackRatio();
      }
      return new StepResult(theta, lossBefore, lossBefore, 0.0, false, config.lsMaxSteps());
    }
  }
}
