package dev.trtspark.spark.sql;

import java.util.ArrayList;
import java.util.List;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Scala collections from Java and back. Catalyst's traits that extend classes ({@code NamedExpression},
 * {@code Attribute} as a {@code NamedExpression}) are unrelated types to javac, so elements are cast here.
 */
final class Scala {
  private Scala() {}

  /** An immutable Scala Seq of {@code items}, typed as the caller needs. */
  @SuppressWarnings("unchecked")
  static <T> Seq<T> seq(List<?> items) {
    return (Seq<T>) CollectionConverters.asScala(new ArrayList<Object>(items)).toList();
  }

  /** A Java list of a Scala collection's elements, typed as the caller needs. */
  @SuppressWarnings("unchecked")
  static <T> List<T> list(scala.collection.Iterable<?> items) {
    List<T> out = new ArrayList<>();
    CollectionConverters.asJava(items).forEach(x -> out.add((T) x));
    return out;
  }
}
