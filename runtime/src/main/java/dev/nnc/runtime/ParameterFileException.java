package dev.nnc.runtime;

import java.io.IOException;

/**
 * Thrown by {@link ParameterFile#read} and {@link CheckpointFile#read} when a stream is not a
 * valid parameter file or checkpoint for the expected network: wrong format, unsupported
 * version, another network's file (or another optimizer's checkpoint), a different parameter
 * list, truncation or corruption; and by {@link SafeTensors} for a malformed or truncated
 * safetensors file or one whose tensors do not fit the network. The message says which and names
 * the difference (for safetensors, the tensor or the byte offset).
 */
public final class ParameterFileException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with the given message. */
    public ParameterFileException(String message) {
        super(message);
    }
}
