package io.maml4j.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.autodiff.GradCheck;
import io.maml4j.autodiff.Tensor;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.Box;
import io.maml4j.env.Discrete;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The conv-classifier spec, its parameters, its logits with shared and per-task parameters. */
class ConvClassifierPolicyTest {
  private static Box image(int c, int h, int w) {
    double[] lo = new double[c * h * w];
    double[] hi = new double[c * h * w];
    java.util.Arrays.fill(hi, 1.0);
    return new Box(new int[] {c, h, w}, lo, hi);
  }

  private static final PolicySpec TINY = PolicySpec.convClassifier(new ConvSpec(new int[] {3, 2}, 3, "max", true));

  @Test
  void when_the_spec_file_is_read_expect_the_paper_network_and_a_json_round_trip() {
    PolicySpec paper = PolicySpec.read(Fields.read(Path.of("policies/conv-classifier-4x64.json")));
    assertEquals(PolicySpec.convClassifier(ConvSpec.PAPER), paper);
    assertEquals(paper, PolicySpec.read(Fields.parse("p.json", "{\"type\": \"conv-classifier\"}")));
    assertEquals(paper, PolicySpec.read(Fields.parse("p.json", paper.toString())));
    PolicySpec strided = PolicySpec.read(Fields.parse("p.json",
        "{\"type\": \"conv-classifier\", \"blocks\": 2, \"filters\": [8, 16], \"pooling\": \"stride\", \"batch_norm\": false}"));
    assertEquals(new ConvSpec(new int[] {8, 16}, 3, "stride", false), strided.conv());
    assertEquals(strided, PolicySpec.read(Fields.parse("p.json", strided.toString())));
    assertTrue(!strided.equals(paper));
  }

  @Test
  void when_the_spec_has_a_bad_or_foreign_field_expect_one_line_naming_it() {
    ConfigException widths = assertThrows(ConfigException.class, () -> PolicySpec.read(Fields.parse("p.json",
        "{\"type\": \"conv-classifier\", \"blocks\": 3, \"filters\": [8, 16]}")));
    assertEquals("p.json: field 'filters': expected one width, or one per block (3), got [8, 16]", widths.getMessage());
    ConfigException kernel = assertThrows(ConfigException.class, () -> PolicySpec.read(Fields.parse("p.json",
        "{\"type\": \"conv-classifier\", \"kernel\": 4}")));
    assertEquals("p.json: field 'kernel': expected an odd integer, got 4", kernel.getMessage());
    ConfigException hidden = assertThrows(ConfigException.class, () -> PolicySpec.read(Fields.parse("p.json",
        "{\"type\": \"conv-classifier\", \"hidden_sizes\": [4]}")));
    assertTrue(hidden.getMessage().startsWith("p.json: unknown field 'hidden_sizes'"), hidden.getMessage());
    assertThrows(ConfigException.class, () -> PolicySpec.read(Fields.parse("p.json",
        "{\"type\": \"gaussian-mlp\", \"filters\": [4]}")));
  }

  @Test
  void when_the_paper_network_is_built_expect_its_exact_parameter_count_and_28_14_7_3_1() {
    ConvClassifierPolicy p = new ConvClassifierPolicy(PolicySpec.convClassifier(ConvSpec.PAPER), image(1, 28, 28),
        new Discrete(5));
    Params theta = p.init(new SplittableRandom(1), DataType.FLOAT);
    // 4 blocks: conv (C*64*9 + 64) and batch norm (2*64); head 64 * 1 * 1 features to 5 logits.
    long want = (9 * 64 + 64 + 128) + 3 * (64 * 64 * 9 + 64 + 128) + (64 * 5 + 5);
    assertEquals(want, theta.size());
    assertEquals(want, ConvSpec.PAPER.parameterCount(1, 28, 28, 5));
    assertEquals(want, p.spec().parameterCount(784, 5));
    assertEquals(1, ConvSpec.PAPER.outSize(28));
    assertEquals(2, new ConvSpec(new int[] {64, 64, 64, 64}, 3, "stride", true).outSize(28));
    Tensor logits = p.logits(theta, Tensor.of(new double[2 * 3 * 784], DataType.FLOAT, 2, 3, 784));
    assertArrayEquals(new long[] {2, 3, 5}, logits.shape());
  }

  @Test
  void when_images_are_too_small_or_spaces_wrong_expect_a_clear_refusal() {
    IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
        () -> new ConvClassifierPolicy(PolicySpec.convClassifier(ConvSpec.PAPER), image(1, 8, 8), new Discrete(5)));
    assertEquals("4 blocks of max downsampling shrink 8x8 images to nothing; use fewer blocks", small.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ConvClassifierPolicy(TINY, Box.of(64, 0, 1), new Discrete(2)));
    assertThrows(IllegalArgumentException.class, () -> new ConvClassifierPolicy(TINY, image(1, 8, 8), Box.of(2, 0, 1)));
    assertInstanceOf(ConvClassifierPolicy.class, Policies.create(TINY, image(1, 8, 8), new Discrete(2)));
  }

  @Test
  void when_params_are_stacked_per_task_expect_the_shared_logits_task_by_task() {
    ConvClassifierPolicy p = new ConvClassifierPolicy(TINY, image(2, 6, 5), new Discrete(3));
    Params theta = p.init(new SplittableRandom(3), DataType.DOUBLE);
    Tensor obs = Tensor.constant(GradCheck.uniform(new Random(2), 0, 1, 2, 4, 60));
    double[] shared = p.logits(theta, obs).toDoubles();
    double[] stacked = p.logits(theta.repeatPerTask(2), obs).toDoubles();
    assertArrayEquals(shared, stacked, 1e-12);
    // The per-task path really uses each task's own slice: changing task 1's head moves only it.
    Params changed = new Params(new java.util.LinkedHashMap<>(theta.repeatPerTask(2).tensors()) {
      {
        Tensor h = get("head.bias");
        double[] v = h.toDoubles();
        v[3] += 1.0;
        put("head.bias", Tensor.of(v, DataType.DOUBLE, h.shape()));
      }
    });
    double[] moved = p.logits(changed, obs).toDoubles();
    for (int i = 0; i < moved.length; i++) {
      boolean task1Label0 = i >= 12 && i % 3 == 0;
      assertEquals(shared[i] + (task1Label0 ? 1.0 : 0.0), moved[i], 1e-12);
    }
  }

  @Test
  void when_the_classifier_is_differentiated_twice_expect_finite_differences() {
    // Cross-entropy of a tiny network, at orders 1 and 2 in the first filters and the head.
    ConvClassifierPolicy p = new ConvClassifierPolicy(
        PolicySpec.convClassifier(new ConvSpec(new int[] {2}, 3, "max", true)), image(1, 4, 4), new Discrete(2));
    Params theta = p.init(new SplittableRandom(5), DataType.DOUBLE);
    Tensor obs = Tensor.constant(GradCheck.uniform(new Random(4), 0, 1, 1, 3, 16));
    GradCheck.check("conv classifier", v -> {
      java.util.Map<String, Tensor> m = new java.util.LinkedHashMap<>(theta.tensors());
      m.put("block0.conv.weight", v.get(0));
      m.put("head.weight", v.get(1));
      return p.forward(new Params(m), obs).logProb(Tensor.of(new double[] {0, 1, 1}, DataType.DOUBLE, 1, 3, 1));
    }, List.of(theta.get("block0.conv.weight").value(), theta.get("head.weight").value()), 2, 1e-6);
  }

  @Test
  void when_logits_are_computed_expect_a_naive_loop_forward_pass_in_c_h_w_feature_order() {
    // One block on two-channel 6x5 images: the pooled map is 3x2, so the head's rows see each
    // image's features in C, H, W order (the layout saved policies have).
    assertNaiveLogits(new int[] {3}, 2, 6, 5);
    // Two blocks on one-channel 4x4 images, ending at 1x1: the single-channel and 1x1 paths.
    assertNaiveLogits(new int[] {2, 3}, 1, 4, 4);
  }

  private static void assertNaiveLogits(int[] filters, int channels, int height, int width) {
    ConvClassifierPolicy p = new ConvClassifierPolicy(PolicySpec.convClassifier(new ConvSpec(filters, 3, "max", true)),
        image(channels, height, width), new Discrete(4));
    Random rng = new Random(8);
    java.util.Map<String, Tensor> m = new java.util.LinkedHashMap<>();
    for (var e : p.init(new SplittableRandom(6), DataType.DOUBLE).tensors().entrySet()) {
      m.put(e.getKey(), Tensor.constant(GradCheck.uniform(rng, -1, 1, e.getValue().shape())));
    }
    int tasks = 2;
    int n = 3;
    int dim = channels * height * width;
    double[] x = GradCheck.uniform(rng, 0, 1, tasks, n, dim).data().asDouble();
    double[] got = p.logits(new Params(m), Tensor.of(x, DataType.DOUBLE, tasks, n, dim)).toDoubles();
    double[] head = m.get("head.weight").toDoubles();
    double[] headBias = m.get("head.bias").toDoubles();
    for (int t = 0; t < tasks; t++) {
      double[][][][] h = new double[n][channels][height][width];
      for (int b = 0; b < n; b++) {
        for (int i = 0; i < dim; i++) {
          h[b][i / (height * width)][i / width % height][i % width] = x[(t * n + b) * dim + i];
        }
      }
      for (int blk = 0; blk < filters.length; blk++) {
        String pre = "block" + blk;
        h = naiveBlock(h, m.get(pre + ".conv.weight").toDoubles(), m.get(pre + ".conv.bias").toDoubles(),
            m.get(pre + ".bn.gamma").toDoubles(), m.get(pre + ".bn.beta").toDoubles(), filters[blk]);
      }
      for (int b = 0; b < n; b++) {
        double[] features = java.util.Arrays.stream(h[b]).flatMap(java.util.Arrays::stream)
            .flatMapToDouble(java.util.Arrays::stream).toArray();
        for (int k = 0; k < 4; k++) {
          double want = headBias[k];
          for (int d = 0; d < features.length; d++) {
            want += features[d] * head[d * 4 + k];
          }
          assertEquals(want, got[(t * n + b) * 4 + k], 1e-10, java.util.Arrays.toString(filters) + ": task " + t
              + ", image " + b + ", label " + k);
        }
      }
    }
  }

  /**
   * One block of the paper's network on one task's images [n][c][h][w]: 3x3 convolution with
   * zero padding 1, batch norm over the task's images and pixels, ReLU, 2x2 max-pooling.
   */
  private static double[][][][] naiveBlock(double[][][][] in, double[] w, double[] bias, double[] gamma,
      double[] beta, int filters) {
    int n = in.length;
    int c = in[0].length;
    int hh = in[0][0].length;
    int ww = in[0][0][0].length;
    double[][][][] conv = new double[n][filters][hh][ww];
    for (int b = 0; b < n; b++) {
      for (int f = 0; f < filters; f++) {
        for (int i = 0; i < hh; i++) {
          for (int j = 0; j < ww; j++) {
            double acc = bias[f];
            for (int ch = 0; ch < c; ch++) {
              for (int u = 0; u < 3; u++) {
                for (int v = 0; v < 3; v++) {
                  int r = i + u - 1;
                  int q = j + v - 1;
                  if (r >= 0 && r < hh && q >= 0 && q < ww) {
                    acc += w[((f * c + ch) * 3 + u) * 3 + v] * in[b][ch][r][q];
                  }
                }
              }
            }
            conv[b][f][i][j] = acc;
          }
        }
      }
    }
    double count = (double) n * hh * ww;
    double[][][][] out = new double[n][filters][hh / 2][ww / 2];
    for (int f = 0; f < filters; f++) {
      double mean = 0;
      for (int b = 0; b < n; b++) {
        for (double[] row : conv[b][f]) {
          for (double v : row) {
            mean += v / count;
          }
        }
      }
      double var = 0;
      for (int b = 0; b < n; b++) {
        for (double[] row : conv[b][f]) {
          for (double v : row) {
            var += (v - mean) * (v - mean) / count;
          }
        }
      }
      for (int b = 0; b < n; b++) {
        double[][] map = conv[b][f];
        for (double[] row : map) {
          for (int j = 0; j < ww; j++) {
            row[j] = Math.max(0, gamma[f] * (row[j] - mean) / Math.sqrt(var + ConvClassifierPolicy.BN_EPS) + beta[f]);
          }
        }
        for (int i = 0; i < hh / 2; i++) {
          for (int j = 0; j < ww / 2; j++) {
            out[b][f][i][j] = Math.max(Math.max(map[2 * i][2 * j], map[2 * i][2 * j + 1]),
                Math.max(map[2 * i + 1][2 * j], map[2 * i + 1][2 * j + 1]));
          }
        }
      }
    }
    return out;
  }
}
