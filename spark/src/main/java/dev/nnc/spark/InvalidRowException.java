package dev.nnc.spark;

/**
 * A row that the network cannot take: its feature or target array has the wrong width, or holds
 * a null. Thrown on the driver, with the row's index and the column, when an executor met one.
 */
public final class InvalidRowException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    InvalidRowException(String message) {
        super(message);
    }

    InvalidRowException(String message, Throwable cause) {
        super(message, cause);
    }
}
