package io.maml4j.policy;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Fused;
import io.maml4j.autodiff.MlpBlocks;
import io.maml4j.autodiff.MlpValues;
import io.maml4j.autodiff.Tape;
import io.maml4j.autodiff.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Curvature-vector products of an MLP policy's losses computed from the network's structure
 * instead of by differentiating a recorded graph twice: the Fisher product of the KL between the
 * policy and itself, and the Hessian-vector product of the REINFORCE loss. They equal what
 * {@link io.maml4j.autodiff.Grad} gives by double backward on the tape (to rounding), at a
 * fraction of the passes.
 *
 * <p>The Fisher product F w (the Hessian of KL(π_φ' || π_φ) at φ' = φ) is exactly the
 * Gauss-Newton form J_out^T M J_out w, because the KL's first derivative in the head's outputs
 * vanishes at φ' = φ: one forward-mode Jacobian-vector product through the MLP, the head's
 * closed-form metric M (diag(1/σ²) and 2 for a Gaussian's mean and log-std, diag(p) - p p^T for
 * a categorical's logits), and one backward pass. The inner Hessian-vector product H v is
 * forward-over-reverse: the tangent, along v, of the loss's backward pass, derived by hand for
 * the MLP (Pearlmutter 1994's R-operator), again one forward and one backward pass.
 *
 * <p>Parameters are shared (natural shapes) or stacked per task ([T, ...] leading axis, as {@link
 * Params#repeatPerTask} and adaptation make them); directions have the parameters' shapes, and
 * products come back in those shapes. Operators are built at fixed parameters and hold the
 * forward (and for H the backward) pass's arrays in the arena current at build time; each product
 * returns its result in the arena current when it is called and frees its own passes. Nothing
 * is recorded on the tape.
 */
public final class Curvatures {
  private Curvatures() {}

  /**
   * Whether float32 products take the row-blocked passes of {@link MlpBlocks} (the default)
   * rather than whole-batch passes; per thread, so tests and benchmarks can compare the two.
   * {@code -Dmaml4j.blockedCurvature=false} switches the default off, for the structured products
   * and for the MLP policies' fused first-order node ({@link Mlp#apply} inside {@link
   * io.maml4j.autodiff.Tape#firstOrder}) alike.
   */
  static final ThreadLocal<Boolean> BLOCKED =
      ThreadLocal.withInitial(() -> !"false".equals(System.getProperty("maml4j.blockedCurvature")));

  /** Whether {@code policy} has the structure these products need: an MLP with a Gaussian or categorical head. */
  public static boolean supports(Policy policy) {
    return policy instanceof GaussianMlpPolicy || policy instanceof CategoricalMlpPolicy;
  }

  /** A linear operator on parameter directions, fixed at the parameters it was built at. */
  @FunctionalInterface
  public interface Product {
    /** The product with {@code v}, which has the parameters' names and shapes. */
    Params apply(Params v);
  }

  /**
   * The Fisher product at {@code phi}: w ↦ ∇²_φ' Σ_rows rowWeights · KL(π_φ' || π_φ) |_{φ'=φ} w.
   *
   * @param obs observations [T, N, obsDim]
   * @param rowWeights per-row weights of the KL sum, [T, N, 1] (for TRPO's mean KL, the batch's
   *     weights over the meta-batch's task count)
   */
  public static Product fisher(Policy policy, Params phi, Tensor obs, Tensor rowWeights) {
    try (Tape.Scope s = Tape.noGrad()) {
      Mlp mlp = mlpOf(policy);
      Params p = phi.detach();
      Net net = new Net(mlp, p, obs.detach());
      Tensor kw = rowWeights.detach();
      if (policy instanceof GaussianMlpPolicy g) {
        Tensor ls = p.get(GaussianMlpPolicy.LOG_STD);
        double floor = Math.log(g.spec().minStd());
        Tensor mask = Fused.greaterThan(ls, floor);
        Tensor iv = Fused.clampMin(ls, floor).scale(-2.0).exp();
        // Metric of the mean: row weight / σ², broadcast once per operator rather than per product.
        Tensor meanMetric = kw.mul(iv);
        // Metric of the log-std: 2 Σ_rows weight, where the floor does not clamp it.
        Tensor lsMetric = kw.sum(1).mul(mask).scale(2.0);
        return v -> {
          try (Tape.Scope s2 = Tape.noGrad(); Arena a = Arena.open()) {
            Map<String, Tensor> out;
            if (net.blocks(meanMetric)) {
              out = net.blocked(v, null, null, MlpBlocks.Head.metric(meanMetric)).grads;
            } else {
              Tensor[] tan = net.jvp(v, false);
              out = net.backward(meanMetric.mul(tan[net.layers]), null, null, null, null);
            }
            out.put(GaussianMlpPolicy.LOG_STD, lsMetric.mul(v.get(GaussianMlpPolicy.LOG_STD)).sumTo(ls.shape()));
            return ordered(p, out).map(a::escape);
          }
        };
      }
      Tensor prob = softmax(net.out).exp();
      return v -> {
        try (Tape.Scope s2 = Tape.noGrad(); Arena a = Arena.open()) {
          if (net.blocks(prob, kw)) {
            return ordered(p, net.blocked(v, null, null, MlpBlocks.Head.softmax(prob, kw)).grads).map(a::escape);
          }
          Tensor[] tan = net.jvp(v, false);
          Tensor gOut = Fused.softmaxJvp(prob, tan[net.layers], kw);
          return ordered(p, net.backward(gOut, null, null, null, null)).map(a::escape);
        }
      };
    }
  }

  /**
   * The REINFORCE loss L(x) = -Σ_rows coef · log π_x(a | s) at fixed parameters {@code x}: its
   * gradient, and its Hessian-vector products.
   */
  public static final class InnerHessian implements Product {
    private final Params gradient;
    private final Product hvp;

    private InnerHessian(Params gradient, Product hvp) {
      this.gradient = gradient;
      this.hvp = hvp;
    }

    /** ∇L(x), in the parameters' shapes. */
    public Params gradient() {
      return gradient;
    }

    /** ∇²L(x) v. */
    @Override
    public Params apply(Params v) {
      return hvp.apply(v);
    }
  }

  /**
   * The inner loss's curvature at {@code x}.
   *
   * @param obs observations [T, N, obsDim]
   * @param actions actions [T, N, actDim] (an index per row for a categorical policy)
   * @param coef per-row coefficients [T, N, 1]: advantages times row weights
   */
  public static InnerHessian reinforce(Policy policy, Params x, Tensor obs, Tensor actions, Tensor coef) {
    try (Tape.Scope s = Tape.noGrad()) {
      Mlp mlp = mlpOf(policy);
      Params p = x.detach();
      Net net = new Net(mlp, p, obs.detach());
      Tensor c = coef.detach();
      Tensor[] delta = new Tensor[net.layers];
      Tensor[] eh = new Tensor[net.layers];
      if (policy instanceof GaussianMlpPolicy g) {
        Tensor ls = p.get(GaussianMlpPolicy.LOG_STD);
        double floor = Math.log(g.spec().minStd());
        Tensor mask = Fused.greaterThan(ls, floor);
        Tensor iv = Fused.clampMin(ls, floor).scale(-2.0).exp();
        Tensor civ = c.mul(iv);
        Tensor r = net.out.sub(actions.detach());
        // ∂L/∂μ = c (μ - a) / σ²; ∂L/∂s = Σ_rows c (1 - (a - μ)² / σ²), masked by the floor.
        Tensor dOut = civ.mul(r);
        Tensor cr2iv = dOut.mul(r);
        Tensor lsGrad = c.sum(1).sub(cr2iv.sum(1)).mul(mask).sumTo(ls.shape());
        Map<String, Tensor> grad = net.backward(dOut, null, delta, eh, null);
        grad.put(GaussianMlpPolicy.LOG_STD, lsGrad);
        Tensor q2 = cr2iv.sum(1).scale(2.0);
        return new InnerHessian(ordered(p, grad), v -> {
          try (Tape.Scope s2 = Tape.noGrad(); Arena a = Arena.open()) {
            Tensor ds = mask.mul(v.get(GaussianMlpPolicy.LOG_STD));
            Map<String, Tensor> out;
            Tensor gradDotTangent;
            if (net.blocks(civ, dOut, ds)) {
              // The same formulas as below, block by block.
              Net.Pass pass = net.blocked(v, delta, eh, MlpBlocks.Head.metricMinusShift(civ, dOut, ds, 2.0));
              out = pass.grads;
              gradDotTangent = pass.headRowSum;
            } else {
              Tensor[] tan = net.jvp(v, true);
              Tensor dMu = tan[net.layers];
              // Tangent of ∂L/∂μ: c/σ² dμ - 2 (∂L/∂μ) ds.
              Tensor dDelta = Fused.mulSubScaledMul(civ, dMu, dOut, ds, 2.0);
              gradDotTangent = dOut.mul(dMu).sum(1);
              out = net.backward(dDelta, tan, delta, eh, v);
            }
            // Tangent of ∂L/∂s: -2 Σ_rows (∂L/∂μ) dμ + 2 Σ_rows c (a - μ)²/σ² ds, masked.
            Tensor dLs = q2.mul(ds).sub(gradDotTangent.reshape(q2.shape()).scale(2.0)).mul(mask);
            out.put(GaussianMlpPolicy.LOG_STD, dLs.sumTo(ls.shape()));
            return ordered(p, out).map(a::escape);
          }
        });
      }
      Tensor prob = softmax(net.out).exp();
      Tensor onehot = onehot(actions, prob);
      // ∂L/∂z = c (p - onehot(a)); its tangent is c (diag(p) - p p^T) dz.
      Tensor dOut = c.mul(prob.sub(onehot));
      Map<String, Tensor> grad = net.backward(dOut, null, delta, eh, null);
      return new InnerHessian(ordered(p, grad), v -> {
        try (Tape.Scope s2 = Tape.noGrad(); Arena a = Arena.open()) {
          if (net.blocks(prob, c)) {
            return ordered(p, net.blocked(v, delta, eh, MlpBlocks.Head.softmax(prob, c)).grads).map(a::escape);
          }
          Tensor[] tan = net.jvp(v, true);
          Tensor dDelta = Fused.softmaxJvp(prob, tan[net.layers], c);
          return ordered(p, net.backward(dDelta, tan, delta, eh, v)).map(a::escape);
        }
      });
    }
  }

  private static Mlp mlpOf(Policy policy) {
    if (!supports(policy)) {
      throw new IllegalArgumentException("structured curvature products need a gaussian-mlp or categorical-mlp policy, got "
          + policy.spec().type());
    }
    return ((AbstractMlpPolicy) policy).mlp;
  }

  private static Params ordered(Params like, Map<String, Tensor> values) {
    List<Tensor> out = new ArrayList<>();
    for (String n : like.names()) {
      out.add(values.get(n));
    }
    return Params.of(like.names(), out);
  }

  /** Log-softmax over the last axis, as {@link CategoricalMlpPolicy} computes it. */
  private static Tensor softmax(Tensor logits) {
    Tensor shifted = logits.sub(Tensor.constant(logits.value().max(true, 2)));
    return shifted.sub(shifted.exp().sum(2).log());
  }

  private static Tensor onehot(Tensor actions, Tensor like) {
    long n = like.size(2);
    double[] idx = actions.toDoubles();
    double[] hot = new double[(int) (idx.length * n)];
    for (int i = 0; i < idx.length; i++) {
      hot[(int) (i * n + idx[i])] = 1.0;
    }
    return Tensor.of(hot, like.dataType(), like.shape());
  }

  /**
   * The MLP's forward pass at fixed parameters, with the forward-mode and (second-order)
   * reverse-mode passes the products need.
   */
  private static final class Net {
    final Mlp mlp;
    final Params p;
    final int layers;
    // h[l]: the input of layer l (h[0] the observations); act[l], l >= 1: the derivative of the
    // activation that made h[l], 1 - h² for tanh, a 0/1 mask for ReLU, kept by the whole-batch
    // forward pass only (the blocked passes derive it from h[l]'s blocks).
    final Tensor[] h;
    private final Tensor[] act;
    final Tensor out;
    // Whether the forward pass and first-order reverse passes run in blocks of rows (MlpBlocks).
    private final boolean blockedNet;

    Net(Mlp mlp, Params p, Tensor obs) {
      this.mlp = mlp;
      this.p = p;
      this.layers = mlp.layers();
      h = new Tensor[layers];
      act = new Tensor[layers];
      Tensor[] w = new Tensor[layers];
      Tensor[] b = new Tensor[layers];
      for (int l = 0; l < layers; l++) {
        w[l] = p.get(Mlp.weight(l));
        b[l] = p.get(Mlp.bias(l));
      }
      blockedNet = BLOCKED.get() && MlpValues.appliesToObservations(obs) && MlpValues.applies(w)
          && MlpValues.applies(b);
      if (blockedNet) {
        // Only the layers' inputs are kept: 2 of the whole-batch forward's 4 arrays per layer.
        out = MlpValues.forward(w, b, mlp.tanh(), obs, h);
        return;
      }
      h[0] = obs;
      Tensor a = obs;
      for (int l = 0; l < layers; l++) {
        a = Fused.matmulSum(h[l], w[l], false, false, null, null, false, false, b[l]);
        if (l < layers - 1) {
          if (mlp.tanh()) {
            Tensor[] d = new Tensor[1];
            h[l + 1] = Fused.tanh(a, d);
            act[l + 1] = d[0];
          } else {
            h[l + 1] = a.relu();
            act[l + 1] = Fused.greaterThan(a, 0.0);
          }
        }
      }
      out = a;
    }

    /**
     * act[l]; made from h[l] in the current arena when the forward pass did not keep it (not
     * cached: a product's arena closes before the operator's).
     */
    Tensor act(int l) {
      if (act[l] != null) {
        return act[l];
      }
      // 1 - h·h rounds as the tanh kernel's stored derivative; h > 0 exactly where a > 0.
      return mlp.tanh() ? h[l].mul(h[l]).neg().addScalar(1.0) : Fused.greaterThan(h[l], 0.0);
    }

    /**
     * Whether {@link #blocked} takes this network's arrays and the head's: all dense float32,
     * and blocked passes not switched off ({@link #BLOCKED}).
     */
    boolean blocks(Tensor... head) {
      if (!BLOCKED.get()) {
        return false;
      }
      return MlpBlocks.applies(h) && MlpBlocks.applies(head);
    }

    /** A pass's gradients by name, and the head's row sum (see {@link MlpBlocks.Result}). */
    record Pass(Map<String, Tensor> grads, Tensor headRowSum) {}

    /**
     * {@link #jvp} and {@link #backward} in one pass over row blocks ({@link MlpBlocks}): first
     * order when {@code delta} is null, else the tangent of the earlier pass that filled {@code
     * delta} and {@code eh}; the head takes the output tangent to the output gradient.
     */
    Pass blocked(Params v, Tensor[] delta, Tensor[] eh, MlpBlocks.Head head) {
      Tensor[] w = new Tensor[layers];
      Tensor[] vw = new Tensor[layers];
      Tensor[] vb = new Tensor[layers];
      for (int l = 0; l < layers; l++) {
        w[l] = p.get(Mlp.weight(l));
        vw[l] = v.get(Mlp.weight(l));
        vb[l] = v.get(Mlp.bias(l));
      }
      MlpBlocks.Result r = MlpBlocks.pass(h, mlp.tanh(), w, vw, vb, delta, delta != null && mlp.tanh() ? eh : null, head);
      Map<String, Tensor> g = new LinkedHashMap<>();
      for (int l = layers - 1; l >= 0; l--) {
        g.put(Mlp.weight(l), r.weights()[l].sumTo(w[l].shape()));
        g.put(Mlp.bias(l), r.biases()[l].sumTo(p.get(Mlp.bias(l)).shape()));
      }
      return new Pass(g, r.headRowSum());
    }

    /**
     * Forward-mode tangents along {@code v}: entries 1..layers-1 are the tangents of h[l] (null
     * unless {@code keepHidden}: a first-order backward pass does not need them), entry {@code
     * layers} that of the output. Intermediates go back to the pool as soon as they are used.
     */
    Tensor[] jvp(Params v, boolean keepHidden) {
      Tensor[] tan = new Tensor[layers + 1];
      Tensor da = Fused.matmulSum(h[0], v.get(Mlp.weight(0)), false, false, null, null, false, false,
          v.get(Mlp.bias(0)));
      for (int l = 1; l < layers; l++) {
        tan[l] = act(l).mul(da);
        Arena.release(da);
        da = Fused.matmulSum(h[l], v.get(Mlp.weight(l)), false, false, tan[l], p.get(Mlp.weight(l)), false, false,
            v.get(Mlp.bias(l)));
        if (!keepHidden) {
          Arena.release(tan[l]);
          tan[l] = null;
        }
      }
      tan[layers] = da;
      return tan;
    }

    /**
     * Reverse pass from {@code dOut} (the gradient, or its tangent, at the output), returning
     * gradients of the weights and biases in the parameters' shapes.
     *
     * <p>First order ({@code tan == null}): a plain vector-Jacobian product; when {@code delta}
     * and {@code eh} are given it also keeps each layer's pre-activation gradient δ[l] and
     * -2 (δ[l] W_l^T) h[l] for a later second-order pass. Second order: the tangent along {@code
     * v} of that earlier pass, with {@code dOut} the tangent of its output gradient.
     */
    Map<String, Tensor> backward(Tensor dOut, Tensor[] tan, Tensor[] delta, Tensor[] eh, Params v) {
      Map<String, Tensor> g = new LinkedHashMap<>();
      boolean second = tan != null;
      if (!second && blockedNet && MlpBlocks.applies(dOut)) {
        Tensor[] w = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
          w[l] = p.get(Mlp.weight(l));
        }
        MlpBlocks.Result r = MlpBlocks.backward(h, mlp.tanh(), w, dOut, delta, mlp.tanh() ? eh : null);
        for (int l = layers - 1; l >= 0; l--) {
          g.put(Mlp.weight(l), r.weights()[l].sumTo(w[l].shape()));
          g.put(Mlp.bias(l), r.biases()[l].sumTo(p.get(Mlp.bias(l)).shape()));
        }
        return g;
      }
      // A first-order pass that fills delta[] keeps every layer's d; otherwise each d is dead once the layer below has it.
      boolean storesD = !second && delta != null;
      Tensor d = dOut;
      for (int l = layers - 1; l >= 0; l--) {
        if (storesD) {
          delta[l] = d;
        }
        Tensor w = p.get(Mlp.weight(l));
        boolean cross = second && l >= 1;
        Tensor gw = Fused.matmulSum(h[l], d, true, false, cross ? tan[l] : null, cross ? delta[l] : null, true, false);
        g.put(Mlp.weight(l), gw.sumTo(w.shape()));
        g.put(Mlp.bias(l), Fused.sumRows(d).sumTo(p.get(Mlp.bias(l)).shape()));
        if (l >= 1) {
          Tensor e;
          Tensor next;
          if (!second) {
            e = Fused.matmulSum(d, w, false, true, null, null, false, false);
            if (eh != null && mlp.tanh()) {
              eh[l] = Fused.mulScaled(e, h[l], -2.0);
            }
            next = e.mul(act(l));
          } else {
            e = Fused.matmulSum(d, w, false, true, delta[l], v.get(Mlp.weight(l)), false, true);
            next = mlp.tanh() ? Fused.mulAddMul(e, act(l), eh[l], tan[l]) : e.mul(act(l));
            // The tangent of h[l] is used for the last time here.
            Arena.release(tan[l]);
            tan[l] = null;
          }
          Arena.release(e);
          // d is the caller's at the top layer.
          if (l < layers - 1 && !storesD) {
            Arena.release(d);
          }
          d = next;
        }
      }
      if (layers > 1 && !storesD) {
        Arena.release(d);
      }
      return g;
    }
  }
}
