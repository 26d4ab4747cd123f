package dev.trtspark.spark.exec;

import java.io.Serializable;

/** What is broadcast for a model small enough: its bytes and, for plans, the sidecar's JSON. */
public record ModelPayload(byte[] bytes, String sidecarJson) implements Serializable {}
