package io.maml4j.vision;

import io.maml4j.env.Box;
import io.maml4j.env.ClassificationTaskDistribution;
import io.maml4j.env.Discrete;
import io.maml4j.env.Environment;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.sampler.Examples;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * N-way K-shot classification (Finn et al. 2017, Section 5.2; Vinyals et al. 2016) over classes
 * of images: a task draws N classes of one split (meta-train, validation or meta-test; the three
 * class sets are disjoint) and orders them at random, so the label of a class differs from task
 * to task. Its examples are K support and Q query images per class.
 *
 * <p>As an H = 1 task, an episode shows one image of one of the task's classes; the action is a
 * label and the reward 1 if it is the image's label, else 0, so a mean return is an accuracy.
 * {@link #examples} draws K per class for the example sampler; {@link #episode} draws support and
 * query sets with no image in both, as evaluation needs.
 *
 * <p>Immutable; the images are shared between the splits of one data set.
 */
public final class FewShotClassification implements ClassificationTaskDistribution {
  /** Task parameter: the class indices, in label order. */
  public static final String CLASSES = "classes";

  private final String name;
  private final List<ImageClass> classes;
  private final String split;
  private final int[] pool;
  private final int ways;
  private final int shots;
  private final int queries;
  private final int height;
  private final int width;
  // For target(task, input): which classes hold an image.
  private final Map<Long, int[]> owners;

  /**
   * @param name the environment name, as in specs
   * @param classes every class of the data set, all splits (indices are task parameters)
   * @param split the class set tasks are drawn from
   * @param ways N
   * @param shots K, support examples per class
   * @param queries Q, query examples per class
   * @throws IllegalArgumentException when the split has fewer than N classes, or a class of it
   *     fewer than K + Q examples, or the images differ in size
   */
  public FewShotClassification(String name, List<ImageClass> classes, String split, int ways, int shots, int queries) {
    this(name, List.copyOf(classes), split, ways, shots, queries, null);
  }

  private FewShotClassification(String name, List<ImageClass> classes, String split, int ways, int shots,
      int queries, Map<Long, int[]> owners) {
    if (!ImageClass.SPLITS.contains(split)) {
      throw new IllegalArgumentException("split must be one of " + ImageClass.SPLITS + ", got " + split);
    }
    if (ways < 2 || shots < 1 || queries < 1) {
      throw new IllegalArgumentException("need ways >= 2, shots >= 1 and queries >= 1, got " + ways + ", " + shots
          + " and " + queries);
    }
    if (classes.isEmpty()) {
      throw new IllegalArgumentException(name + " has no classes");
    }
    this.name = name;
    this.classes = classes;
    this.split = split;
    this.ways = ways;
    this.shots = shots;
    this.queries = queries;
    this.height = classes.get(0).height();
    this.width = classes.get(0).width();
    List<Integer> ids = new ArrayList<>();
    for (int c = 0; c < classes.size(); c++) {
      ImageClass k = classes.get(c);
      if (k.height() != height || k.width() != width) {
        throw new IllegalArgumentException(name + ": class " + k.name() + " has " + k.height() + "x" + k.width()
            + " images, expected " + height + "x" + width);
      }
      if (k.split().equals(split)) {
        if (k.size() < shots + queries) {
          throw new IllegalArgumentException(name + ": class " + k.name() + " has " + k.size() + " examples, fewer than "
              + shots + " shots + " + queries + " queries");
        }
        ids.add(c);
      }
    }
    if (ids.size() < ways) {
      throw new IllegalArgumentException(name + ": split " + split + " has " + ids.size() + " classes, fewer than "
          + ways + " ways");
    }
    this.pool = ids.stream().mapToInt(Integer::intValue).toArray();
    this.owners = owners != null ? owners : index(classes);
  }

  // A 64-bit hash of each image to the (class, example) pairs that have it; candidates are then
  // compared byte by byte, so a collision never mislabels.
  private static Map<Long, int[]> index(List<ImageClass> classes) {
    Map<Long, int[]> m = new HashMap<>();
    for (int c = 0; c < classes.size(); c++) {
      ImageClass k = classes.get(c);
      for (int i = 0; i < k.size(); i++) {
        int[] pair = {c, i};
        m.merge(hash(k.bytes(i)), pair, FewShotClassification::concat);
      }
    }
    return m;
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static long hash(byte[] px) {
    long h = 0xcbf29ce484222325L;
    for (byte b : px) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return h;
  }

  /** The same data and task shape over another class set. */
  public FewShotClassification withSplit(String other) {
    return new FewShotClassification(name, classes, other, ways, shots, queries, owners);
  }

  /** The class set tasks are drawn from. */
  public String split() {
    return split;
  }

  @Override
  public int ways() {
    return ways;
  }

  /** K, support examples per class. */
  public int shots() {
    return shots;
  }

  /** Q, query examples per class. */
  public int queries() {
    return queries;
  }

  /** Every class of the data set, all splits. */
  public List<ImageClass> classes() {
    return classes;
  }

  /** The indices of this split's classes. */
  public int[] pool() {
    return pool.clone();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, ParamRange> paramRanges() {
    return Map.of(CLASSES, ParamRange.vector(ways, 0, classes.size() - 1));
  }

  /** N distinct classes of the split in random order: class {@code classes[j]} has label j. */
  @Override
  public Task sample(SplittableRandom rng) {
    int[] p = pool.clone();
    List<Integer> chosen = new ArrayList<>(ways);
    for (int j = 0; j < ways; j++) {
      int r = j + rng.nextInt(p.length - j);
      int tmp = p[j];
      p[j] = p[r];
      p[r] = tmp;
      chosen.add(p[j]);
    }
    return task(chosen);
  }

  /** The task whose label j is class {@code classIds.get(j)}. */
  public static Task task(List<Integer> classIds) {
    return new Task(Map.of(CLASSES, List.copyOf(classIds)));
  }

  /** The class indices of a task in label order, checked against this split. */
  int[] classesOf(Task task) {
    double[] v = task.vector(CLASSES);
    if (v.length != ways) {
      throw new IllegalArgumentException(name + " task needs " + ways + " classes, got " + v.length);
    }
    int[] ids = new int[ways];
    for (int j = 0; j < ways; j++) {
      int c = (int) v[j];
      if (c != v[j] || c < 0 || c >= classes.size() || !classes.get(c).split().equals(split)) {
        throw new IllegalArgumentException(name + " task class " + v[j] + " is not a class of split " + split);
      }
      for (int i = 0; i < j; i++) {
        if (ids[i] == c) {
          throw new IllegalArgumentException(name + " task names class " + c + " twice");
        }
      }
      ids[j] = c;
    }
    return ids;
  }

  @Override
  public double[] target(Task task, double[] input) {
    int[] ids = classesOf(task);
    if (input.length != height * width) {
      throw new IllegalArgumentException(name + " input must have " + height * width + " pixels, got " + input.length);
    }
    byte[] px = new byte[input.length];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) Math.round(input[i] * 255);
    }
    int[] own = owners.get(hash(px));
    if (own != null) {
      for (int j = 0; j < ways; j++) {
        for (int o = 0; o < own.length; o += 2) {
          if (own[o] == ids[j] && Arrays.equals(classes.get(own[o]).bytes(own[o + 1]), px)) {
            return new double[] {j};
          }
        }
      }
    }
    throw new IllegalArgumentException(name + " input is not an image of the task's classes " + Arrays.toString(ids));
  }

  @Override
  public Labelled examples(Task task, int count, SplittableRandom rng) {
    int[] ids = classesOf(task);
    int per = (count + ways - 1) / ways;
    int n = height * width;
    double[] x = new double[count * n];
    double[] y = new double[count];
    int[][] picks = new int[ways][];
    for (int j = 0; j < ways; j++) {
      picks[j] = distinct(classes.get(ids[j]).size(), per, rng);
    }
    for (int i = 0; i < count; i++) {
      int j = i % ways;
      System.arraycopy(classes.get(ids[j]).image(picks[j][i / ways]), 0, x, i * n, n);
      y[i] = j;
    }
    return new Labelled(x, y);
  }

  /**
   * {@code k} indices of [0, n) without repetition while n allows (a partial Fisher-Yates
   * shuffle), repeating the shuffle for more.
   */
  private static int[] distinct(int n, int k, SplittableRandom rng) {
    int[] out = new int[k];
    int[] p = new int[n];
    for (int i = 0; i < k; i++) {
      int j = i % n;
      if (j == 0) {
        for (int q = 0; q < n; q++) {
          p[q] = q;
        }
      }
      int r = j + rng.nextInt(n - j);
      int tmp = p[j];
      p[j] = p[r];
      p[r] = tmp;
      out[i] = p[j];
    }
    return out;
  }

  /** The support and query sets of a meta-batch: [T][N*K] and [T][N*Q] labelled images. */
  public record Episode(Examples support, Examples query) {}

  /**
   * K support and Q query images of every class of each task, no image in both; within a set,
   * example i has label {@code i mod N}.
   */
  public Episode episode(List<Task> tasks, SplittableRandom rng) {
    int n = height * width;
    int ns = ways * shots;
    int nq = ways * queries;
    double[] sx = new double[tasks.size() * ns * n];
    double[] sy = new double[tasks.size() * ns];
    double[] qx = new double[tasks.size() * nq * n];
    double[] qy = new double[tasks.size() * nq];
    for (int t = 0; t < tasks.size(); t++) {
      int[] ids = classesOf(tasks.get(t));
      for (int j = 0; j < ways; j++) {
        ImageClass k = classes.get(ids[j]);
        int[] pick = distinct(k.size(), shots + queries, rng);
        for (int s = 0; s < shots; s++) {
          int row = t * ns + s * ways + j;
          System.arraycopy(k.image(pick[s]), 0, sx, row * n, n);
          sy[row] = j;
        }
        for (int q = 0; q < queries; q++) {
          int row = t * nq + q * ways + j;
          System.arraycopy(k.image(pick[shots + q]), 0, qx, row * n, n);
          qy[row] = j;
        }
      }
    }
    return new Episode(new Examples(tasks, ns, n, 1, sx, sy), new Examples(tasks, nq, n, 1, qx, qy));
  }

  @Override
  public Environment make(Task task) {
    int[] ids = classesOf(task);
    return new Env(ids);
  }

  @Override
  public Space observationSpace() {
    double[] lo = new double[height * width];
    double[] hi = new double[height * width];
    Arrays.fill(hi, 1.0);
    return new Box(new int[] {1, height, width}, lo, hi);
  }

  @Override
  public Space actionSpace() {
    return new Discrete(ways);
  }

  /** One image per episode, of a class and example the reset seed picks. Mutable: the current label. */
  private final class Env implements Environment {
    private final int[] ids;
    private int label = -1;
    private double[] image;

    Env(int[] ids) {
      this.ids = ids;
    }

    @Override
    public Space observationSpace() {
      return FewShotClassification.this.observationSpace();
    }

    @Override
    public Space actionSpace() {
      return FewShotClassification.this.actionSpace();
    }

    @Override
    public double[] reset(long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      label = r.nextInt(ways);
      ImageClass k = classes.get(ids[label]);
      image = k.image(r.nextInt(k.size()));
      return image.clone();
    }

    @Override
    public StepResult step(double[] action) {
      if (label < 0) {
        throw new IllegalStateException(name + " episode is over or not started; call reset first");
      }
      if (action.length != 1) {
        throw new IllegalArgumentException(name + " action must be 1 label, got " + action.length + " numbers");
      }
      double reward = action[0] == label ? 1.0 : 0.0;
      label = -1;
      return new StepResult(image.clone(), reward, true, false);
    }
  }
}
