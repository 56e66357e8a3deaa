package io.maml4j.vision;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Discrete;
import io.maml4j.meta.Batch;
import io.maml4j.optim.Adam;
import io.maml4j.policy.Distribution;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.sampler.Examples;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The pretrained baseline of few-shot classification (Finn et al. 2017, Section 5.2, after
 * Vinyals et al. 2016): the same network trained as one ordinary classifier over every class of
 * the meta-train split at once, by Adam on minibatches of the cross-entropy; for a test task
 * its head is replaced by a fresh N-way head ({@link #withHead}) and the whole network is then
 * fine-tuned on the task's K shots like any starting point.
 *
 * <p>Reproducible: the initialisation and every minibatch come from the seed.
 */
public final class Pretraining {
  /** The head's parameter names; everything else is the body a pretrained network passes on. */
  public static final List<String> HEAD = List.of("head.weight", "head.bias");

  /**
   * How to pretrain.
   *
   * @param steps Adam steps
   * @param batch images per minibatch, drawn uniformly from all of the split's images
   * @param lr Adam's step size
   */
  public record Config(int steps, int batch, double lr, long seed) {
    /** Validates that every count is positive and the step size finite and positive. */
    public Config {
      if (steps < 1 || batch < 2) {
        throw new IllegalArgumentException("pretraining needs steps >= 1 and batch >= 2, got " + steps + " and " + batch);
      }
      if (!(lr > 0) || !Double.isFinite(lr)) {
        throw new IllegalArgumentException("pretraining lr must be a finite number > 0, got " + lr);
      }
    }
  }

  /**
   * What pretraining made.
   *
   * @param policy the network over all of the split's classes
   * @param losses the minibatch cross-entropy of every step
   * @param accuracies the minibatch accuracy of every step (before its update)
   */
  public record Result(Policy policy, Params params, double[] losses, double[] accuracies) {}

  private Pretraining() {}

  /** The spec's network with one output per class of {@code data}'s split. */
  public static Policy allClassesPolicy(PolicySpec spec, FewShotClassification data) {
    return Policies.create(spec, data.observationSpace(), new Discrete(data.pool().length));
  }

  /**
   * Trains {@link #allClassesPolicy} on the split's images; {@code progress} hears every step
   * number as it finishes.
   */
  public static Result train(PolicySpec spec, FewShotClassification data, Config config, DataType type,
      IntConsumer progress) {
    Policy policy = allClassesPolicy(spec, data);
    int[] pool = data.pool();
    List<ImageClass> classes = data.classes();
    int pixels = classes.get(pool[0]).height() * classes.get(pool[0]).width();
    // Images are drawn uniformly over the split, so a class weighs by its number of examples.
    long[] cumulative = new long[pool.length];
    long total = 0;
    for (int c = 0; c < pool.length; c++) {
      total += classes.get(pool[c]).size();
      cumulative[c] = total;
    }
    SplittableRandom rng = new SplittableRandom(config.seed());
    Params theta = policy.init(rng.split(), type);
    Adam adam = new Adam(config.lr());
    double[] losses = new double[config.steps()];
    double[] accuracies = new double[config.steps()];
    for (int s = 0; s < config.steps(); s++) {
      double[] x = new double[config.batch() * pixels];
      double[] y = new double[config.batch()];
      for (int i = 0; i < config.batch(); i++) {
        long pick = rng.nextLong(total);
        int c = Arrays.binarySearch(cumulative, pick + 1);
        c = c >= 0 ? c : -c - 1;
        ImageClass k = classes.get(pool[c]);
        int example = (int) (pick - (c == 0 ? 0 : cumulative[c - 1]));
        System.arraycopy(k.image(example), 0, x, i * pixels, pixels);
        y[i] = c;
      }
      try (Arena arena = Arena.open()) {
        Batch b = Batch.supervised(new Examples(List.of(FewShotClassification.task(List.of(0))), config.batch(), pixels,
            1, x, y), type);
        Params vars = theta.asVariables();
        // One forward pass gives the loss (Losses.crossEntropy's formula) and the predictions.
        Distribution out = policy.forward(vars, b.observations());
        Tensor loss = out.logProb(b.actions()).mul(b.weights()).sum().neg();
        losses[s] = loss.item();
        double[] mode = out.mode();
        int right = 0;
        for (int i = 0; i < mode.length; i++) {
          right += mode[i] == y[i] ? 1 : 0;
        }
        accuracies[s] = (double) right / mode.length;
        List<Tensor> g = Grad.grad(loss, vars.list(), false);
        theta = adam.step(theta, Params.of(vars.names(), g));
      }
      progress.accept(s + 1);
    }
    return new Result(policy, theta, losses, accuracies);
  }

  /**
   * The pretrained body under a fresh head of {@code nWay}'s outputs: {@code nWay}'s own
   * initialisation from {@code rng}, every parameter but the head's replaced by the pretrained one.
   *
   * @throws IllegalArgumentException when a body parameter is missing or has another shape
   */
  public static Params withHead(Params pretrained, Policy nWay, SplittableRandom rng, DataType type) {
    Params fresh = nWay.init(rng, type);
    Map<String, Tensor> out = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (String name : fresh.names()) {
      if (HEAD.contains(name)) {
        out.put(name, fresh.get(name));
        continue;
      }
      if (!pretrained.names().contains(name)) {
        missing.add(name);
        continue;
      }
      Tensor t = pretrained.get(name);
      if (!Arrays.equals(t.shape(), fresh.get(name).shape())) {
        throw new IllegalArgumentException("pretrained parameter " + name + " has shape " + Arrays.toString(t.shape())
            + ", the network needs " + Arrays.toString(fresh.get(name).shape()));
      }
      out.put(name, Tensor.variable(t.value().castTo(type).dup()));
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("pretrained parameters lack " + missing);
    }
    return new Params(out);
  }
}
