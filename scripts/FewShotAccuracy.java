// Held-out few-shot accuracy of a conv-classifier after 0..N inner SGD steps, with a 95 % interval
// over tasks: the bounded script behind the glyph figures in README.md (issue 16). Run from the
// checkout after `mvn -q -o package -DskipTests`:
//   mvn -q -o dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
//   java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp "target/classes:$(cat target/classpath.txt)" \
//     scripts/FewShotAccuracy.java \
//     --env environments/glyphs-5way-1shot.json --policy runs/X/checkpoint.json --steps 3 --lr 0.4 --tasks 600 \
//     --queries 15 --batch 4
// --policy init evaluates the seed's random initialisation (a network trained from scratch on the
// K shots). Each task: K support and Q query images per class of the split's classes (no image in
// both), the inner steps on the support set, accuracy on the query set (batch norm with the query
// batch's statistics, as in training).
import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tape;
import io.maml4j.autodiff.Tensor;
import io.maml4j.config.Fields;
import io.maml4j.envs.EnvRegistry;
import io.maml4j.meta.Batch;
import io.maml4j.meta.Losses;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.Checkpoint;
import io.maml4j.vision.FewShotClassification;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

public class FewShotAccuracy {
  public static void main(String[] args) {
    Map<String, String> a = new HashMap<>(Map.of("--steps", "3", "--lr", "0.4", "--tasks", "600", "--batch", "20",
        "--seed", "1", "--split", "test", "--policy", "init", "--queries", "15"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i], args[i + 1]);
    }
    Path spec = Path.of(a.get("--env"));
    FewShotClassification spec0 = (FewShotClassification) EnvRegistry.standard().load(spec);
    FewShotClassification d = new FewShotClassification(spec0.name(), spec0.classes(), a.get("--split"), spec0.ways(),
        spec0.shots(), Integer.parseInt(a.get("--queries")));
    PolicySpec ps = PolicySpec.read(Fields.read(spec).object("policy"));
    Policy p = Policies.create(ps, d.observationSpace(), d.actionSpace());
    long seed = Long.parseLong(a.get("--seed"));
    Params theta = a.get("--policy").equals("init") ? p.init(new SplittableRandom(seed), DataType.FLOAT)
        : Checkpoint.load(Path.of(a.get("--policy")), DataType.FLOAT).params();
    int steps = Integer.parseInt(a.get("--steps"));
    double lr = Double.parseDouble(a.get("--lr"));
    int tasks = Integer.parseInt(a.get("--tasks"));
    int bs = Integer.parseInt(a.get("--batch"));
    SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
    List<List<Double>> acc = new ArrayList<>();
    for (int s = 0; s <= steps; s++) {
      acc.add(new ArrayList<>());
    }
    long t0 = System.nanoTime();
    for (int done = 0; done < tasks; done += bs) {
      int n = Math.min(bs, tasks - done);
      try (Arena arena = Arena.open()) {
        FewShotClassification.Episode ep = d.episode(d.sample(n, rng), rng);
        Batch support = Batch.supervised(ep.support(), DataType.FLOAT);
        Batch query = Batch.supervised(ep.query(), DataType.FLOAT);
        double[] labels = query.actions().toDoubles();
        int perTask = labels.length / n;
        Params phi = theta.repeatPerTask(n).map(t -> Tensor.variable(t.value().dup()));
        for (int s = 0; s <= steps; s++) {
          try (Tape.Scope ng = Tape.noGrad()) {
            double[] mode = p.forward(phi, query.observations()).mode();
            for (int t = 0; t < n; t++) {
              int right = 0;
              for (int i = t * perTask; i < (t + 1) * perTask; i++) {
                right += mode[i] == labels[i] ? 1 : 0;
              }
              acc.get(s).add((double) right / perTask);
            }
          }
          if (s < steps) {
            List<Tensor> g = Grad.grad(Losses.crossEntropy(p, phi, support), phi.list(), false);
            List<Tensor> next = new ArrayList<>();
            for (int i = 0; i < g.size(); i++) {
              next.add(Tensor.variable(phi.list().get(i).sub(g.get(i).scale(lr)).value()));
            }
            phi = Params.of(phi.names(), next);
          }
        }
      }
    }
    System.out.printf("%s split %s, policy %s, %d tasks, lr %s, %.1f s%n", d.name(), a.get("--split"),
        a.get("--policy"), tasks, lr, (System.nanoTime() - t0) / 1e9);
    for (int s = 0; s <= steps; s++) {
      List<Double> v = acc.get(s);
      double m = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      double var = v.stream().mapToDouble(x -> (x - m) * (x - m)).sum() / (v.size() - 1);
      System.out.printf("steps %d: accuracy %.2f %% +- %.2f %% (95 %% interval over %d tasks)%n", s, 100 * m,
          100 * 1.96 * Math.sqrt(var / v.size()), v.size());
    }
  }
}
