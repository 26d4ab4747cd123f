package dev.trtspark.spark;

import java.io.Serializable;

/** What is broadcast for a model small enough: its bytes and, for plans, the sidecar's JSON. */
record ModelPayload(byte[] bytes, String sidecarJson) implements Serializable {}
