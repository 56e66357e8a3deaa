package io.maml4j.locomotion;

import io.maml4j.env.Box;
import io.maml4j.env.Environment;
import io.maml4j.env.Space;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.env.ThreadedVectorEnvironment;
import io.maml4j.env.VectorEnvironment;
import io.maml4j.mujoco.MjModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A locomotion task distribution p(T) (see {@link Locomotion} for the five families): samples
 * goals, and makes environments that simulate one shared, read-only {@link MjModel}.
 *
 * <p>{@link #makeVector} returns a {@link ThreadedVectorEnvironment} stepping its simulations on
 * {@link LocomotionConfig#threads()} threads; trajectories do not depend on the thread count.
 *
 * <p>The model stays loaded as long as this distribution is reachable (it is small; each
 * environment's simulation is freed when the environment is closed).
 */
public final class LocomotionTasks implements TaskDistribution {
  private final Locomotion kind;
  private final MjModel model;
  private final LocomotionConfig config;
  private final Box observationSpace;
  private final Box actionSpace;

  /**
   * A distribution over {@code kind}'s tasks simulating {@code model}, which must be the robot's
   * (checked by its joints and actuators) and stay open while this distribution is used.
   */
  public LocomotionTasks(Locomotion kind, MjModel model, LocomotionConfig config) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.model = Objects.requireNonNull(model, "model");
    this.config = Objects.requireNonNull(config, "config");
    LocomotionEnv.checkModel(kind, model);
    this.observationSpace = Box.of(LocomotionEnv.observationSize(kind, model), Double.NEGATIVE_INFINITY,
        Double.POSITIVE_INFINITY);
    this.actionSpace = Box.of(model.nu(), -config.actionScale(), config.actionScale());
  }

  /** Loads the bundled model of a family with default settings but the given horizon. */
  public static LocomotionTasks standard(Locomotion kind, int horizon) {
    LocomotionConfig config = LocomotionConfig.defaults(kind).withHorizon(horizon);
    return new LocomotionTasks(kind, MjModel.load(config.model()), config);
  }

  @Override
  public String name() {
    return kind.specName();
  }

  /** The task family. */
  public Locomotion kind() {
    return kind;
  }

  /** The settings this distribution was made with. */
  public LocomotionConfig config() {
    return config;
  }

  /** The shared model. */
  public MjModel model() {
    return model;
  }

  @Override
  public java.util.Map<String, ParamRange> paramRanges() {
    return java.util.Map.of(kind.goal().param(), switch (kind.goal()) {
      case VELOCITY -> ParamRange.scalar(config.low(), config.high());
      case DIRECTION -> ParamRange.scalar(-1, 1);
      case POSITION -> ParamRange.vector(2, config.low(), config.high());
    });
  }

  @Override
  public Task sample(SplittableRandom rng) {
    return kind.sample(rng, config.low(), config.high());
  }

  @Override
  public LocomotionEnv make(Task task) {
    return new LocomotionEnv(kind, model, config, task);
  }

  @Override
  public VectorEnvironment makeVector(List<Task> tasks) {
    List<Environment> envs = new ArrayList<>(tasks.size());
    try {
      for (Task t : tasks) {
        envs.add(make(t));
      }
    } catch (RuntimeException | Error e) {
      envs.forEach(Environment::close);
      throw e;
    }
    return new ThreadedVectorEnvironment(envs, config.threads());
  }

  /** Observations: see {@link LocomotionEnv} for the layout (17 for the cheetah, 111 or 113 for the ant). */
  @Override
  public Space observationSpace() {
    return observationSpace;
  }

  /** Actions: one per actuator in [-action_scale, action_scale]. */
  @Override
  public Space actionSpace() {
    return actionSpace;
  }

  @Override
  public int horizon() {
    return config.horizon();
  }
}
