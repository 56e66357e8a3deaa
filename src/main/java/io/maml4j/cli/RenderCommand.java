package io.maml4j.cli;

import io.maml4j.config.ConfigException;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.EnvRegistry;
import io.maml4j.locomotion.Locomotion;
import io.maml4j.locomotion.LocomotionEnv;
import io.maml4j.locomotion.LocomotionTasks;
import io.maml4j.policy.Policy;
import io.maml4j.render.Filmstrip;
import io.maml4j.render.RobotPainter;
import io.maml4j.train.Checkpoint;
import io.maml4j.eval.EvalConfig;
import io.maml4j.eval.Evaluator;
import io.maml4j.train.TrainConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code maml4j render}: pictures of a locomotion meta-policy on one task before and after
 * adaptation: a PNG strip of frames and optionally an animated GIF.
 */
@Command(name = "render", mixinStandardHelpOptions = true,
    description = "Draw a half cheetah (side view) or ant (top view) on one task, before and after adaptation.")
public final class RenderCommand implements Callable<Integer> {
  @Option(names = "--env", required = true, description = "Locomotion spec, e.g. environments/half-cheetah-vel.json.")
  Path env;

  @Option(names = "--policy", required = true, description = "Meta-policy file (a run's policy.json or checkpoint.json).")
  Path policyFile;

  @Option(names = "--out", description = "PNG strip to write (default plots/<env>.png).")
  Path out;

  @Option(names = "--gif", description = "Also write an animated GIF here.")
  Path gif;

  @Option(names = "--goal", description = "The task: a velocity (m/s), a direction (1 or -1) or a position x,y;"
      + " default: drawn with --seed.")
  String goal;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the task draw, the episodes and the start state (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--frames", defaultValue = "8", description = "Frames per row of the strip (default ${DEFAULT-VALUE}).")
  int frames;

  @Option(names = "--stochastic", description = "Sample the drawn episodes' actions instead of taking the policy's mean.")
  boolean stochastic;

  @Override
  public Integer call() {
    TaskDistribution d = EnvRegistry.standard().load(env);
    if (!(d instanceof LocomotionTasks dist)) {
      throw new ConfigException(env + ": render draws the locomotion environments, not " + d.name());
    }
    TrainConfig cfg = MetaPolicyFiles.trainConfig(env);
    Checkpoint ck = Checkpoint.load(policyFile, cfg.dataType());
    Policy policy = MetaPolicyFiles.policy(policyFile, ck, dist);
    MetaPolicyFiles.checkFits(policyFile, ck, policy, cfg);
    SplittableRandom rng = new SplittableRandom(seed);
    Task task = goal != null ? parseGoal(dist.kind(), goal) : dist.sample(rng.split());
    // One step of the evaluation protocol on this task, with the run's α and episodes per step.
    EvalConfig protocol = new EvalConfig(1, rng.nextLong(), 1, cfg.fastBatchSize(), cfg.maml().fastLr(), cfg.gamma(),
        cfg.gaeLambda());
    Evaluator.Result eval = new Evaluator(dist, protocol, cfg.dataType()).fineTune("render", policy, ck.params(),
        List.of(task));
    long start = rng.nextLong();
    SplittableRandom actions = stochastic ? rng.split() : null;
    List<Filmstrip.Episode> episodes = new ArrayList<>();
    try (LocomotionEnv e = dist.make(task)) {
      episodes.add(Filmstrip.record("before adaptation (meta-policy)", e, policy, ck.params(), start,
          actions == null ? null : actions.split(), dist.horizon()));
      episodes.add(Filmstrip.record(String.format(Locale.ROOT, "after 1 gradient step (α = %.3g, %d episodes)",
          protocol.fastLr(), protocol.episodes()),
          e, policy, eval.stepParams().get(1), start, actions == null ? null : actions.split(), dist.horizon()));
    }
    boolean side = dist.kind().robot() == io.maml4j.locomotion.Robot.HALF_CHEETAH;
    List<String> notes = List.of(
        String.format(Locale.ROOT, "%s, task %s; %s after %d meta-iterations; %s actions", dist.name(),
            describe(dist.kind(), task), policyFile, ck.iteration(), stochastic ? "sampled" : "mean"),
        String.format(Locale.ROOT, "mean return over %d sampled episodes: before %.1f, after %.1f",
            protocol.episodes(), eval.curve().mean(0), eval.curve().mean(1)));
    double[] target = dist.kind().goal() == Locomotion.Goal.POSITION ? task.vector("goal") : null;
    Filmstrip.Layout layout = side
        ? new Filmstrip.Layout(260, 160, 3.2, notes, null)
        : new Filmstrip.Layout(240, 240, 4.0, notes, target);
    Path png = out != null ? out : Path.of("plots", dist.name() + ".png");
    try (RobotPainter painter = RobotPainter.of(dist.model(), side ? RobotPainter.View.SIDE : RobotPainter.View.TOP)) {
      Filmstrip.writeStrip(png, episodes, painter, frames, layout);
      System.out.println("wrote " + png);
      if (gif != null) {
        Filmstrip.writeGif(gif, episodes, painter, 1, layout);
        System.out.println("wrote " + gif);
      }
    }
    for (Filmstrip.Episode e : episodes) {
      System.out.printf(Locale.ROOT, "%-45s return %8.2f, mean forward velocity %6.2f m/s, %d steps%n", e.title(),
          e.episodeReturn(), e.meanVelocity(), e.steps());
    }
    return 0;
  }

  /** Parses --goal for a family: "1.5", "-1" or "x,y". */
  static Task parseGoal(Locomotion kind, String text) {
    try {
      return switch (kind.goal()) {
        case VELOCITY -> Locomotion.velocity(Double.parseDouble(text.strip()));
        case DIRECTION -> Locomotion.direction((int) Double.parseDouble(text.strip()));
        case POSITION -> {
          String[] xy = text.split(",");
          if (xy.length != 2) {
            throw new IllegalArgumentException("--goal for " + kind.specName() + " must be x,y, got " + text);
          }
          yield Locomotion.position(Double.parseDouble(xy[0].strip()), Double.parseDouble(xy[1].strip()));
        }
      };
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--goal for " + kind.specName() + " must be numeric, got " + text);
    }
  }

  private static String describe(Locomotion kind, Task task) {
    return switch (kind.goal()) {
      case VELOCITY -> String.format(Locale.ROOT, "velocity %.2f m/s", task.number("velocity"));
      case DIRECTION -> task.number("direction") > 0 ? "run forward (+x)" : "run backward (-x)";
      case POSITION -> {
        double[] g = task.vector("goal");
        yield String.format(Locale.ROOT, "reach (%.2f, %.2f) m", g[0], g[1]);
      }
    };
  }
}
