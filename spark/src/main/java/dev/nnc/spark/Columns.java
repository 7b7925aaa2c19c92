package dev.nnc.spark;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Reads the numeric array columns that hold features and targets, one row at a time. */
final class Columns {

    private Columns() {}

    /**
     * Checks on the driver that {@code column} exists and is an array of numbers.
     *
     * @throws IllegalArgumentException naming the column and the type found
     */
    static void requireNumericArray(StructType schema, String column) {
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException(
                    "no column '" + column + "' in the data; its columns are " + Arrays.toString(schema.fieldNames()));
        }
        StructField field = schema.apply(column);
        DataType type = field.dataType();
        if (!(type instanceof ArrayType array) || !(array.elementType() instanceof NumericType)) {
            throw new IllegalArgumentException("column '" + column + "' must be an array of numbers"
                    + " (array<double>, one array per row), found " + type.simpleString());
        }
    }

    /**
     * Copies the array in field {@code field} of {@code row} to {@code dst} from {@code offset}.
     *
     * @param rowIndex the row's index in the data, for the message
     * @throws InvalidRowException if the array is null, holds a null or has not {@code width}
     *     elements
     */
    static void read(Row row, int field, String column, int width, long rowIndex, double[] dst, int offset) {
        if (row.isNullAt(field)) {
            throw new InvalidRowException("row " + rowIndex + ": column '" + column + "' is null");
        }
        List<Object> values = row.getList(field);
        if (values.size() != width) {
            throw new InvalidRowException("row " + rowIndex + ": column '" + column + "' has " + values.size()
                    + " values, but the network takes " + width);
        }
        for (int i = 0; i < width; i++) {
            Object value = values.get(i);
            if (value == null) {
                throw new InvalidRowException(
                        "row " + rowIndex + ": column '" + column + "' holds a null at position " + i);
            }
            dst[offset + i] = ((Number) value).doubleValue();
        }
    }
}
