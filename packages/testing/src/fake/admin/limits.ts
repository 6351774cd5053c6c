// The server's schema limits the fake's admin enforces (appwrite 1.9.x, utopia-php/database on MariaDB).

/** Largest `size` of a `string` column, in characters. */
export const STRING_MAX = 1_073_741_824
/** Largest `size` of a `varchar` column, in characters. */
export const VARCHAR_MAX = 16_381
/** Longest key, enum element or index name, in characters. */
export const LENGTH_KEY = 255
/** Most items an array parameter (permissions, elements, index columns) may hold. */
export const MAX_ARRAY_PARAMS = 100
/** Most columns a table may hold, system columns included. */
export const COLUMN_LIMIT = 1017
/** The system columns counted against {@link COLUMN_LIMIT}. */
export const INTERNAL_COLUMNS = 7
/** Most indexes a table may hold (64 less the server's six system indexes). */
export const INDEX_LIMIT = 64 - 6
/** Largest row width in bytes (MariaDB's). */
export const ROW_WIDTH_LIMIT = 65_535
