package dev.docproc.migrations;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.resource.LoadableResource;

/**
 * The migrations named in {@code db/migration/INDEX}, loaded from the class path.
 *
 * <p>Flyway normally finds migrations by scanning a class-path folder. Inside an EAR on WildFly
 * that folder lives in the server's virtual file system, which Flyway's scanner only reads when the
 * {@code org.jboss.vfs} module happens to be visible; a miss there means "no migrations" and an
 * empty database, silently. An explicit index cannot miss, and a unit test keeps it equal to the
 * folder's content.
 */
final class IndexedMigrations implements ResourceProvider {

  static final String FOLDER = "db/migration";
  static final String INDEX = FOLDER + "/INDEX";

  private final ClassLoader classLoader;
  private final List<String> filenames;

  IndexedMigrations(ClassLoader classLoader) {
    this.classLoader = classLoader;
    this.filenames = readIndex(classLoader);
  }

  List<String> filenames() {
    return filenames;
  }

  @Override
  public LoadableResource getResource(String name) {
    return filenames.contains(name) ? new Migration(name) : null;
  }

  @Override
  public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
    return filenames.stream()
        .filter(f -> f.startsWith(prefix) && Arrays.stream(suffixes).anyMatch(f::endsWith))
        .<LoadableResource>map(Migration::new)
        .toList();
  }

  private static List<String> readIndex(ClassLoader classLoader) {
    try (InputStream in = classLoader.getResourceAsStream(INDEX)) {
      if (in == null) {
        throw new IllegalStateException(INDEX + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .map(String::strip)
          .filter(line -> !line.isEmpty())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private final class Migration extends LoadableResource {
    private final String filename;

    Migration(String filename) {
      this.filename = filename;
    }

    @Override
    public Reader read() {
      InputStream in = classLoader.getResourceAsStream(getAbsolutePath());
      if (in == null) {
        throw new IllegalStateException(getAbsolutePath() + " is listed in the index but missing");
      }
      return new InputStreamReader(in, StandardCharsets.UTF_8);
    }

    @Override
    public String getAbsolutePath() {
      return FOLDER + "/" + filename;
    }

    @Override
    public String getAbsolutePathOnDisk() {
      return getAbsolutePath();
    }

    @Override
    public String getFilename() {
      return filename;
    }

    @Override
    public String getRelativePath() {
      return filename;
    }
  }
}
