"""RAG-style entities at scale: 10,000 entities with 3 metadata rows each.

A Python recipe receives a DB-API connection to the source namespace (IRIS or the simulator);
executemany keeps the round trips few. Deterministic: the same rows every time.
"""

KINDS = ("person", "organization", "place", "concept")
ENTITIES = 10_000


def build(conn):
    cursor = conn.cursor()
    cursor.execute(
        "CREATE TABLE RAG.Entities (ID INTEGER PRIMARY KEY, Name VARCHAR(100) NOT NULL, "
        "Kind VARCHAR(20) NOT NULL, Summary VARCHAR(500))"
    )
    cursor.execute(
        "CREATE TABLE RAG.EntityMetadata (ID INTEGER PRIMARY KEY, EntityID INTEGER NOT NULL, "
        "MetaKey VARCHAR(50) NOT NULL, MetaValue VARCHAR(200))"
    )
    cursor.executemany(
        "INSERT INTO RAG.Entities (ID, Name, Kind, Summary) VALUES (?, ?, ?, ?)",
        [
            (i, f"Entity {i:05d}", KINDS[i % 4], f"A {KINDS[i % 4]}, number {i} of {ENTITIES}")
            for i in range(1, ENTITIES + 1)
        ],
    )
    cursor.executemany(
        "INSERT INTO RAG.EntityMetadata (ID, EntityID, MetaKey, MetaValue) VALUES (?, ?, ?, ?)",
        [
            (3 * (i - 1) + j + 1, i, key, value)
            for i in range(1, ENTITIES + 1)
            for j, (key, value) in enumerate(
                (("source", f"doc-{i % 97}"), ("confidence", f"0.{(i * 37) % 100:02d}"),
                 ("lang", ("en", "de", "fr")[i % 3]))
            )
        ],
    )
    cursor.close()
