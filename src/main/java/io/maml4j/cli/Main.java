package io.maml4j.cli;

import io.maml4j.config.ConfigException;
import io.maml4j.files.FileWriteException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code maml4j} command. */
@Command(name = "maml4j", mixinStandardHelpOptions = true, version = "maml4j " + Main.VERSION,
    description = "Model-Agnostic Meta-Learning for reinforcement learning, on ND4J.",
    subcommands = {TrainCommand.class, BenchCommand.class, EvaluateCommand.class, CompareCommand.class,
        PlotCommand.class, PathsCommand.class, ServeCommand.class, SinusoidCommand.class, BanditCommand.class,
        HeldOutCommand.class, RenderCommand.class, CheckEnvCommand.class, WorkerCommand.class})
public final class Main implements Runnable {
  public static final String VERSION = io.maml4j.train.RunConfig.VERSION;

  static {
    // JavaCPP otherwise reads /proc on every off-heap allocation to police physical memory,
    // which costs more than the arithmetic on this workload.
    if (System.getProperty("org.bytedeco.javacpp.maxphysicalbytes") == null) {
      System.setProperty("org.bytedeco.javacpp.maxphysicalbytes", "0");
    }
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /**
   * Runs the command line and returns the exit code: 0 ok, 2 bad input, 1 failure (including a
   * file that cannot be written, reported in one line).
   */
  public static int execute(String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
      if (ex instanceof ConfigException) {
        cmd.getErr().println("maml4j: error: " + ex.getMessage());
        return 2;
      }
      if (ex instanceof IllegalArgumentException) {
        cmd.getErr().println("maml4j: error: " + ex.getMessage());
        return 2;
      }
      if (ex instanceof io.maml4j.cluster.ClusterException) {
        // No worker left: the run stops here, its last checkpoint in place for --resume.
        cmd.getErr().println("maml4j: error: " + ex.getMessage());
        return 1;
      }
      if (ex instanceof io.maml4j.gym.GymHttpException) {
        // A remote environment's server failed or cannot be reached: the message names its URL and route.
        cmd.getErr().println("maml4j: error: " + ex.getMessage());
        return 1;
      }
      if (ex instanceof FileWriteException) {
        // The message is "cannot write FILE: reason"; the previous file is still in place.
        cmd.getErr().println("maml4j: error: " + ex.getMessage());
        return 1;
      }
      cmd.getErr().println("maml4j: failed: " + ex);
      return 1;
    });
    return cl.execute(args);
  }
}
