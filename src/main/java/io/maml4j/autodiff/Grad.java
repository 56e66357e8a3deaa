package io.maml4j.autodiff;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode differentiation of a scalar tensor with respect to chosen tensors.
 *
 * <p>Only nodes that both feed the output and depend on one of the chosen tensors are visited,
 * so a gradient with respect to an intermediate node (for example the adapted parameters of
 * MAML's inner step) does not walk back into the graph that produced it.
 */
public final class Grad {
  private Grad() {}

  /**
   * Gradients of {@code output} (a single-element tensor) with respect to each of {@code wrt}.
   *
   * @param createGraph when true, the returned gradients are recorded and can be differentiated
   *     again (higher-order derivatives); when false they are constants
   * @return one gradient per entry of {@code wrt}, zeros where {@code output} does not depend on it
   */
  public static List<Tensor> grad(Tensor output, List<Tensor> wrt, boolean createGraph) {
    if (output.value().length() != 1) {
      throw new IllegalArgumentException("grad needs a single-element output, got shape "
          + java.util.Arrays.toString(output.shape()));
    }
    Tensor seed = Tensor.constant(Kernels.addScalar(Kernels.scale(output.value(), 0.0), 1.0));
    return grad(output, seed, wrt, createGraph);
  }

  /**
   * Vector-Jacobian product: the gradient of {@code sum(output * seed)} with respect to each of
   * {@code wrt}.
   */
  public static List<Tensor> grad(Tensor output, Tensor seed, List<Tensor> wrt, boolean createGraph) {
    Map<Tensor, Boolean> targets = new IdentityHashMap<>();
    for (Tensor w : wrt) {
      targets.put(w, Boolean.TRUE);
    }
    List<Tensor> order = topologicalOrder(output, targets);
    Map<Tensor, Boolean> relevant = new IdentityHashMap<>();
    for (Tensor t : order) {
      relevant.put(t, Boolean.TRUE);
    }
    Map<Tensor, Tensor> grads = new IdentityHashMap<>();
    try (Tape.Scope s = Tape.set(createGraph)) {
      if (!order.isEmpty()) {
        grads.put(output, seed);
      }
      for (int i = order.size() - 1; i >= 0; i--) {
        Tensor node = order.get(i);
        Tensor g = grads.get(node);
        if (g == null || node.backward() == null) {
          continue;
        }
        Tensor[] ins = node.inputs();
        Tensor[] gs = node.backward().apply(g);
        for (int k = 0; k < ins.length; k++) {
          if (gs[k] == null || !ins[k].requiresGrad() || !relevant.containsKey(ins[k])) {
            continue;
          }
          grads.merge(ins[k], gs[k], Tensor::add);
        }
      }
      List<Tensor> out = new ArrayList<>(wrt.size());
      for (Tensor w : wrt) {
        Tensor g = grads.get(w);
        out.add(g != null ? g : Tensor.constant(Kernels.scale(w.value(), 0.0)));
      }
      return out;
    }
  }

  /**
   * Nodes that feed {@code output} and depend on a target, inputs before consumers. Iterative,
   * because unrolled inner loops make graphs deeper than the Java stack.
   */
  private static List<Tensor> topologicalOrder(Tensor output, Map<Tensor, Boolean> targets) {
    Map<Tensor, Boolean> depends = new IdentityHashMap<>();
    List<Tensor> order = new ArrayList<>();
    Deque<Tensor> stack = new ArrayDeque<>();
    Deque<Integer> next = new ArrayDeque<>();
    stack.push(output);
    next.push(0);
    Map<Tensor, Boolean> onStack = new IdentityHashMap<>();
    onStack.put(output, Boolean.TRUE);
    while (!stack.isEmpty()) {
      Tensor t = stack.peek();
      int i = next.pop();
      Tensor[] ins = t.inputs();
      if (i < ins.length) {
        next.push(i + 1);
        Tensor in = ins[i];
        if (in.requiresGrad() && !depends.containsKey(in) && !onStack.containsKey(in)) {
          stack.push(in);
          next.push(0);
          onStack.put(in, Boolean.TRUE);
        }
        continue;
      }
      stack.pop();
      boolean dep = targets.containsKey(t);
      for (Tensor in : ins) {
        dep |= depends.getOrDefault(in, Boolean.FALSE);
      }
      depends.put(t, dep);
      if (dep) {
        order.add(t);
      }
    }
    return order;
  }
}
