package io.maml4j.policy;

import io.maml4j.autodiff.MlpValues;
import io.maml4j.autodiff.Tape;
import io.maml4j.autodiff.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A multilayer perceptron as a pure function of named parameters, shared by both policies. */
final class Mlp {
  private final int[] sizes;
  private final boolean tanh;

  Mlp(int in, int[] hidden, int out, String nonlinearity) {
    sizes = new int[hidden.length + 2];
    sizes[0] = in;
    System.arraycopy(hidden, 0, sizes, 1, hidden.length);
    sizes[sizes.length - 1] = out;
    tanh = nonlinearity.equals("tanh");
  }

  static String weight(int layer) {
    return "layer" + layer + ".weight";
  }

  static String bias(int layer) {
    return "layer" + layer + ".bias";
  }

  int layers() {
    return sizes.length - 1;
  }

  /** Whether the hidden layers use tanh (else ReLU). */
  boolean tanh() {
    return tanh;
  }

  /** Xavier-uniform weights (gain 1) and zero biases, as the reference implementations use. */
  Map<String, Tensor> init(SplittableRandom rng, DataType type) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (int l = 0; l < layers(); l++) {
      int fanIn = sizes[l];
      int fanOut = sizes[l + 1];
      double a = Math.sqrt(6.0 / (fanIn + fanOut));
      double[] w = new double[fanIn * fanOut];
      for (int i = 0; i < w.length; i++) {
        w[i] = (2 * rng.nextDouble() - 1) * a;
      }
      INDArray wa = Nd4j.create(w, new long[] {fanIn, fanOut}, DataType.DOUBLE).castTo(type);
      m.put(weight(l), Tensor.variable(wa));
      m.put(bias(l), Tensor.variable(Nd4j.zeros(type, 1, fanOut)));
    }
    return m;
  }

  List<String> names() {
    List<String> n = new ArrayList<>();
    for (int l = 0; l < layers(); l++) {
      n.add(weight(l));
      n.add(bias(l));
    }
    return n;
  }

  /**
   * {@link #apply}'s outputs as values, [T, N, out] row-major for observations [T, N, in], by
   * {@link MlpValues}; null when it does not take these parameters (not all dense float32).
   */
  float[] values(Params p, double[] obs, int tasks, int rows) {
    Tensor[][] wb = valueParams(p);
    return wb == null ? null : MlpValues.forward(wb[0], wb[1], tanh, obs, tasks, rows);
  }

  /**
   * {@link #apply}'s outputs, values only, for observations in a dense float32 array, by {@link
   * MlpValues}; null when it does not take these arrays.
   */
  Tensor values(Params p, Tensor obs) {
    Tensor[][] wb = valueParams(p);
    if (wb == null || obs.value().rank() != 3 || !MlpValues.applies(obs)) {
      return null;
    }
    return MlpValues.forward(wb[0], wb[1], tanh, obs);
  }

  /** The weights and biases by layer, or null unless {@link MlpValues} takes them all. */
  private Tensor[][] valueParams(Params p) {
    Tensor[] w = new Tensor[layers()];
    Tensor[] b = new Tensor[layers()];
    for (int l = 0; l < layers(); l++) {
      w[l] = p.get(weight(l));
      b[l] = p.get(bias(l));
    }
    return MlpValues.applies(w) && MlpValues.applies(b) ? new Tensor[][] {w, b} : null;
  }

  /**
   * obs [T, N, in] to outputs [T, N, out]; weights [in, out] or [T, in, out]. Inside {@link
   * Tape#firstOrder}, in float32, as one node of blocked passes ({@link MlpValues#recorded}).
   */
  Tensor apply(Params p, Tensor obs) {
    if (Tape.isRecording() && Tape.isFirstOrder() && Curvatures.BLOCKED.get() && !obs.requiresGrad()
        && MlpValues.appliesToObservations(obs)) {
      Tensor[][] wb = valueParams(p);
      if (wb != null) {
        return MlpValues.recorded(wb[0], wb[1], tanh, obs);
      }
    }
    Tensor h = obs;
    for (int l = 0; l < layers(); l++) {
      h = h.affine(p.get(weight(l)), p.get(bias(l)));
      if (l < layers() - 1) {
        h = tanh ? h.tanh() : h.relu();
      }
    }
    return h;
  }
}
