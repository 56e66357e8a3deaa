package io.maml4j.cli;

import io.maml4j.config.ConfigException;
import io.maml4j.env.TaskDistribution;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.Checkpoint;
import io.maml4j.train.Run;
import io.maml4j.vision.FewShotClassification;
import io.maml4j.vision.Pretraining;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code maml4j pretrain}: the pretrained baseline of few-shot classification, the spec's network
 * trained as one classifier over every meta-train class; {@code evaluate --pretrained} fine-tunes
 * it under a fresh N-way head on the same tasks as the meta-policy.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
    description = "Train a classification spec's network on all of its meta-train classes at once (the pretrained"
        + " baseline of 'evaluate --pretrained'); writes a policy file with one output per class.")
public final class PretrainCommand implements Callable<Integer> {
  @Mixin
  EnvOption env;

  @Option(names = "--steps", defaultValue = "2000", description = "Adam steps (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--batch", defaultValue = "64", description = "Images per minibatch (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--lr", defaultValue = "0.001", description = "Adam step size (default ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the initialisation and minibatches (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "The policy file to write.")
  Path out;

  @Mixin
  DtypeOption dtype;

  @Override
  public Integer call() {
    if (env.env == null) {
      throw new ConfigException("pretrain needs --env SPEC of a classification spec (e.g. --env"
          + " environments/glyphs-5way-1shot.json)");
    }
    if (Files.exists(out)) {
      throw new ConfigException(out + ": already exists; pretrain does not overwrite a file, choose another --out");
    }
    Run run = Run.resolve(env.env, null, List.of(), 1);
    TaskDistribution dist = run.distribution();
    if (!(dist instanceof FewShotClassification f)) {
      throw new ConfigException(env.env + ": pretrain needs a classification spec (glyphs, fashion-mnist, omniglot),"
          + " got env " + dist.name());
    }
    FewShotClassification train = f.withSplit("train");
    PolicySpec spec = run.config().policy();
    Pretraining.Config cfg = new Pretraining.Config(steps, batch, lr, seed);
    var type = dtype.dataType(run.train().dtype());
    System.err.printf("maml4j: pretraining %s on the %d classes of %s's meta-train split, %d steps of %d images,"
        + " Adam %.3g, seed %d%n", spec.type(), train.pool().length, f.name(), steps, batch, lr, seed);
    long t0 = System.nanoTime();
    int every = Math.max(1, steps / 20);
    double[] sum = new double[2];
    Pretraining.Result[] box = new Pretraining.Result[1];
    box[0] = Pretraining.train(spec, train, cfg, type, s -> {
      if (s % every == 0) {
        System.err.printf("step %d/%d  %.1f s%n", s, steps, (System.nanoTime() - t0) / 1e9);
      }
    });
    Pretraining.Result r = box[0];
    int tail = Math.min(100, steps);
    for (int s = steps - tail; s < steps; s++) {
      sum[0] += r.losses()[s];
      sum[1] += r.accuracies()[s];
    }
    new Checkpoint(spec, r.params(), steps, (long) steps * batch).save(out);
    System.out.printf("pretrained %s: last %d minibatches cross-entropy %.3f, accuracy %.1f %% (chance %.2f %%),"
        + " %.1f s; wrote %s%n", f.name(), tail, sum[0] / tail, 100 * sum[1] / tail, 100.0 / train.pool().length,
        (System.nanoTime() - t0) / 1e9, out);
    return 0;
  }
}
