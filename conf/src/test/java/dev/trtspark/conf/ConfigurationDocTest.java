package dev.trtspark.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trtspark.testing.Repo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigurationDocTest {

  @Test
  void committedConfigurationDocMatchesTheDeclaredEntries() throws IOException {
    Path doc = Repo.path("docs/configuration.md");
    assertTrue(Files.exists(doc), doc + " is missing; generate it with: mvn -Pgen-docs -pl conf process-classes");
    assertEquals(ConfigurationDoc.render(), Files.readString(doc, StandardCharsets.UTF_8),
        "docs/configuration.md is stale; regenerate it with: mvn -Pgen-docs -pl conf process-classes");
  }

  @Test
  void everyKeyAppearsInTheDocument() {
    String md = ConfigurationDoc.render();
    for (ConfigOption<?> o : ConfigRegistry.all()) {
      assertTrue(md.contains("| `" + o.key() + "` |"), o.key());
    }
  }
}
