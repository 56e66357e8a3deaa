package io.maml4j.train;

import com.google.gson.JsonParser;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.config.InputFiles;
import io.maml4j.env.Discrete;
import io.maml4j.env.SupervisedTaskDistribution;
import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.EnvRegistry;
import io.maml4j.meta.MetaLearner;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import java.nio.file.Path;
import java.util.List;

/**
 * A run assembled for use: its {@link RunConfig}, the task distribution its environment spec
 * makes and the policy its policy spec makes for that distribution's spaces. Every command that
 * trains, resumes, benchmarks or evaluates a run gets one from {@link #resolve} (a new run) or
 * {@link #read} (a run on disk), and checks saved policies against it with {@link #load}.
 */
public record Run(RunConfig config, TaskDistribution distribution, Policy policy) {
  /** The default policy spec without a "policy" section or file (sinusoid's is the MAML paper's 40-40 ReLU). */
  private static final PolicySpec DEFAULT_REGRESSION =
      new PolicySpec("deterministic-mlp", new int[] {40, 40}, "relu", 1.0, 1e-6);

  /**
   * A new run: the spec file's task distribution; the training defaults with the spec's {@code
   * "train"} section and then each of {@code overrides} (a {@code --config} file, command-line
   * options) merged over them; the policy spec of {@code policyFile}, else the spec's {@code
   * "policy"} section, else the default for the action space.
   *
   * @param policyFile a policy spec file, or null
   * @param threads worker threads of the meta-step
   * @throws ConfigException one line naming the file and the field of anything wrong
   */
  public static Run resolve(Path envFile, Path policyFile, List<Fields> overrides, int threads) {
    String text = InputFiles.read(envFile, InputFiles.SPEC_LIMIT);
    Fields envFields = Fields.parse(envFile.toString(), text);
    TaskDistribution dist = EnvRegistry.standard().create(envFields);
    TrainConfig train = TrainConfig.forSpec(envFields);
    for (Fields o : overrides) {
      train = train.merge(o);
    }
    PolicySpec spec = policyFile != null ? PolicySpec.read(Fields.read(policyFile))
        : envFields.has("policy") ? PolicySpec.read(envFields.object("policy"))
        : defaultPolicy(dist);
    EnvSpec env = new EnvSpec(envFile.toAbsolutePath().normalize().toString(),
        JsonParser.parseString(text).getAsJsonObject());
    RunConfig config;
    try {
      config = new RunConfig(RunConfig.VERSION, env, spec, train, threads);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--threads: " + e.getMessage(), e);
    }
    return new Run(config, dist, policy(spec, dist, policyFile != null ? policyFile.toString()
        : envFile + " (in 'policy')"));
  }

  /** The run recorded in a {@code config.json}, its environment rebuilt from the recorded spec. */
  public static Run read(Path configFile) {
    return of(RunConfig.read(configFile), configFile.toString());
  }

  /** Assembles a run config read from {@code source}, naming it in errors. */
  public static Run of(RunConfig config, String source) {
    TaskDistribution dist = EnvRegistry.standard().create(config.env().fields(source + " (in 'env')"));
    return new Run(config, dist, policy(config.policy(), dist, source + " (in 'policy')"));
  }

  /** This run with another training config (same environment and policy). */
  public Run withTrain(TrainConfig t) {
    return new Run(config.withTrain(t), distribution, policy);
  }

  public TrainConfig train() {
    return config.train();
  }

  /**
   * The policy spec used when none is given: Gaussian 64-64 tanh for continuous actions,
   * categorical for discrete ones, a deterministic 40-40 ReLU network for regression.
   */
  public static PolicySpec defaultPolicy(TaskDistribution dist) {
    return dist instanceof SupervisedTaskDistribution ? DEFAULT_REGRESSION
        : dist.actionSpace() instanceof Discrete ? PolicySpec.defaultCategorical()
        : PolicySpec.defaultGaussian();
  }

  /** The meta-learner the training config names. */
  public MetaLearner metaLearner() {
    return Trainer.metaLearner(policy, config.train());
  }

  /** A trainer of this run with {@code learner} (for instance {@link #metaLearner()}). */
  public Trainer trainer(MetaLearner learner) {
    return new Trainer(distribution, policy, config.train(), learner, Trainer.local(config.threads()));
  }

  /**
   * Loads a saved meta-policy (policy or checkpoint file) of this run: the one check that it
   * has this run's policy spec and exactly the parameters the policy expects.
   *
   * @throws ConfigException one line naming the file and the field
   */
  public Checkpoint load(Path file) {
    Checkpoint ck = Checkpoint.load(file, config.train().dataType());
    if (!ck.spec().equals(config.policy())) {
      throw ConfigException.field(file.toString(), "policy", config.policy() + " (the run's policy spec)",
          ck.spec());
    }
    ck.requireParamsOf(policy, file);
    return ck;
  }

  private static Policy policy(PolicySpec spec, TaskDistribution dist, String source) {
    try {
      long outputs = dist.actionSpace() instanceof Discrete d ? d.n() : dist.actionSpace().flatSize();
      spec.requireParameterCount(dist.observationSpace().flatSize(), outputs);
      return Policies.create(spec, dist.observationSpace(), dist.actionSpace());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(source + ": " + e.getMessage());
    }
  }
}
