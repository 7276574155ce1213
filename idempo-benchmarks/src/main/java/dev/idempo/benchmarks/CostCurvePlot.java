package dev.idempo.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Draws the cost curves as one PNG with java.awt (headless): three log-log panels against the
 * number of live records, claim+complete p50, p99 and the store's size per record, one line per
 * store. Stateless.
 */
final class CostCurvePlot {
  private static final int PANEL_WIDTH = 520;
  private static final int HEIGHT = 460;
  private static final int MARGIN_LEFT = 70;
  private static final int MARGIN_RIGHT = 20;
  private static final int MARGIN_TOP = 50;
  private static final int MARGIN_BOTTOM = 90;
  private static final Color[] COLORS = {
    new Color(0x1f77b4),
    new Color(0xd62728),
    new Color(0x2ca02c),
    new Color(0x9467bd),
    new Color(0xff7f0e)
  };

  private CostCurvePlot() {}

  /** Writes the curves of {@code rows} (one run per store) to {@code png}. */
  static void write(List<CurveRow> rows, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage image = new BufferedImage(3 * PANEL_WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      List<String> stores = rows.stream().map(CurveRow::store).distinct().toList();
      panel(g, 0, "claim + complete p50 (µs)", rows, stores, CurveRow::firstRunP50);
      panel(g, 1, "claim + complete p99 (µs)", rows, stores, CurveRow::firstRunP99);
      panel(
          g,
          2,
          "bytes per live record (disk; Redis, heap: memory)",
          rows,
          stores,
          r -> r.bytes() / (double) r.size());
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      int x = MARGIN_LEFT;
      for (int s = 0; s < stores.size(); s++) {
        g.setColor(COLORS[s % COLORS.length]);
        g.fillRect(x, HEIGHT - 28, 24, 4);
        g.setColor(Color.BLACK);
        g.drawString(stores.get(s), x + 30, HEIGHT - 21);
        x += 140;
      }
      g.setColor(Color.DARK_GRAY);
      g.drawString(
          "x: live records (log); y: log. One caller, new keys, purge running;"
              + " idempo-benchmarks/cost-curves.sh",
          x + 20,
          HEIGHT - 21);
    } finally {
      g.dispose();
    }
    if (png.getParent() != null) {
      Files.createDirectories(png.getParent());
    }
    ImageIO.write(image, "png", png.toFile());
  }

  private static void panel(
      Graphics2D g,
      int index,
      String title,
      List<CurveRow> rows,
      List<String> stores,
      ToDoubleFunction<CurveRow> value) {
    int left = index * PANEL_WIDTH + MARGIN_LEFT;
    int right = (index + 1) * PANEL_WIDTH - MARGIN_RIGHT;
    int top = MARGIN_TOP;
    int bottom = HEIGHT - MARGIN_BOTTOM;
    double xMin = 3.5;
    double xMax = 7.5;
    double yMin = Double.MAX_VALUE;
    double yMax = -Double.MAX_VALUE;
    for (CurveRow row : rows) {
      double v = value.applyAsDouble(row);
      if (v > 0) {
        yMin = Math.min(yMin, Math.log10(v));
        yMax = Math.max(yMax, Math.log10(v));
      }
    }
    if (yMin > yMax) {
      yMin = 0;
      yMax = 1;
    }
    yMin = Math.floor(yMin);
    yMax = Math.max(yMin + 1, Math.ceil(yMax));
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.setColor(Color.BLACK);
    g.drawString(title, left, top - 20);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.setStroke(new BasicStroke(1f));
    for (int decade = (int) yMin; decade <= (int) yMax; decade++) {
      int y = scale(decade, yMin, yMax, bottom, top);
      g.setColor(new Color(0xdddddd));
      g.drawLine(left, y, right, y);
      g.setColor(Color.BLACK);
      g.drawString(decadeLabel(decade), left - 55, y + 4);
    }
    for (int decade = 4; decade <= 7; decade++) {
      int x = scale(decade, xMin, xMax, left, right);
      g.setColor(new Color(0xdddddd));
      g.drawLine(x, top, x, bottom);
      g.setColor(Color.BLACK);
      g.drawString("10^" + decade, x - 14, bottom + 18);
    }
    g.drawRect(left, top, right - left, bottom - top);
    g.setStroke(new BasicStroke(2.5f));
    for (int s = 0; s < stores.size(); s++) {
      g.setColor(COLORS[s % COLORS.length]);
      String store = stores.get(s);
      int lastX = -1;
      int lastY = -1;
      for (CurveRow row : rows) {
        double v = value.applyAsDouble(row);
        if (!row.store().equals(store) || !(v > 0)) {
          continue;
        }
        int x = scale(Math.log10((double) row.size()), xMin, xMax, left, right);
        int y = scale(Math.log10(v), yMin, yMax, bottom, top);
        g.fillOval(x - 4, y - 4, 8, 8);
        if (lastX >= 0) {
          g.drawLine(lastX, lastY, x, y);
        }
        lastX = x;
        lastY = y;
      }
    }
  }

  private static int scale(double v, double min, double max, int from, int to) {
    return (int) Math.round(from + (v - min) / (max - min) * (to - from));
  }

  private static String decadeLabel(int decade) {
    double value = Math.pow(10, decade);
    return decade >= 0 && decade <= 5
        ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%.0e", value);
  }
}
