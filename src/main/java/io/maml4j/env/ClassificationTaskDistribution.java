package io.maml4j.env;

import java.util.SplittableRandom;

/**
 * A distribution over N-way classification tasks (Finn et al. 2017, Section 5.2): a task is N
 * classes in a label order, its inputs are examples of those classes and its targets their
 * labels 0..N-1 (a Discrete(N) action space).
 *
 * <p>A K-shot sample needs K examples of every class, which independent one-step episodes do not
 * give, so such a distribution also draws examples in bulk with the labels balanced.
 */
public interface ClassificationTaskDistribution extends SupervisedTaskDistribution {
  /** N, the classes of every task. */
  int ways();

  /**
   * {@code count} labelled examples of a task: example i has label {@code i mod N}, and no
   * example of a class repeats within the call while the class has examples left.
   *
   * @return the inputs, row-major [count][input dim], and the labels [count]
   */
  Labelled examples(Task task, int count, SplittableRandom rng);

  /** Inputs row-major [count][dim] and one label per row. */
  record Labelled(double[] inputs, double[] labels) {
    /** Validates that the inputs are whole rows of the labels' count. */
    public Labelled {
      if (labels.length == 0 || inputs.length % labels.length != 0) {
        throw new IllegalArgumentException("need whole input rows for " + labels.length + " labels, got "
            + inputs.length + " inputs");
      }
    }
  }
}
