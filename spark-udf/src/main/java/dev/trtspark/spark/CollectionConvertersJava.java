package dev.trtspark.spark;

import java.util.Map;
import scala.jdk.javaapi.CollectionConverters;

/** Scala collections from Spark's APIs as Java ones. */
final class CollectionConvertersJava {
  private CollectionConvertersJava() {}

  static <K, V> Map<K, V> toJava(scala.collection.Map<K, V> m) {
    return CollectionConverters.asJava(m);
  }
}
