// Runs OpenRefine's own kNN clustering code (Vicino 1.2 NGramClusterer + LevenshteinDistance /
// PPMDistance, the library and calls of OpenRefine's kNNClusterer.BlockingClusteringRowVisitor)
// over values read from stdin, to produce reference fixtures. Dev tool only (see gen-fixtures.mjs).
//
// stdin:  line 1 = "<method> <radius> <blockingNgramSize>", then one value per line, each as
//         hex of its UTF-16 code units (so any character survives).
// stdout: one cluster per line: its values' hex, space-separated, in Vicino's TreeSet order.
//         Lines starting with "d " give distance(a, b) for the pairs asked with "? <hexA> <hexB>".
import edu.mit.simile.vicino.clustering.NGramClusterer;
import edu.mit.simile.vicino.distances.Distance;
import edu.mit.simile.vicino.distances.LevenshteinDistance;
import edu.mit.simile.vicino.distances.PPMDistance;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

public class VicinoReference {
    static String unhex(String h) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i + 4 <= h.length(); i += 4) sb.append((char) Integer.parseInt(h.substring(i, i + 4), 16));
        return sb.toString();
    }

    static String hex(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) sb.append(String.format("%04x", (int) s.charAt(i)));
        return sb.toString();
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String[] head = in.readLine().trim().split(" ");
        Distance d = head[0].equals("ppm") ? new PPMDistance() : new LevenshteinDistance();
        double radius = Double.parseDouble(head[1]);
        int ngram = Integer.parseInt(head[2]);
        NGramClusterer clusterer = new NGramClusterer(d, ngram);
        StringBuilder out = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("? ")) {
                String[] p = line.split(" ", -1);
                out.append("d ").append(d.d(unhex(p[1]), unhex(p[2]))).append('\n');
            } else {
                clusterer.populate(unhex(line));
            }
        }
        List<Set<Serializable>> clusters = clusterer.getClusters(radius);
        for (Set<Serializable> c : clusters) {
            if (c.size() < 2) continue;
            StringBuilder sb = new StringBuilder();
            for (Serializable v : c) {
                if (sb.length() > 0) sb.append(' ');
                sb.append(hex((String) v));
            }
            out.append(sb).append('\n');
        }
        System.out.print(out);
        System.out.flush();
        // Vicino's static thread pool would keep the JVM alive for a minute.
        System.exit(0);
    }
}
