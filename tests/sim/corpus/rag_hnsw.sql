-- A RAG schema for IRIS vector search: documents and chunks with 4-dimensional embeddings,
-- HNSW indexes, and %Library class names in the DDL.
CREATE TABLE RAG.SourceDocument (
    DocID      VARCHAR(64) PRIMARY KEY,
    Title      %String(MAXLEN=200),
    Body       LONGVARCHAR,
    Embedding  VECTOR(DOUBLE, 4),
    CreatedAt  TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE RAG.Chunk (
    ChunkID    INTEGER IDENTITY,
    DocID      VARCHAR(64) NOT NULL REFERENCES RAG.SourceDocument (DocID),
    ChunkIndex %Library.Integer NOT NULL,
    Text       VARCHAR(MAXLEN=1000),
    Embedding  VECTOR(DOUBLE, 4)
);

CREATE INDEX ChunkDoc ON RAG.Chunk (DocID);
CREATE INDEX DocEmbeddingHNSW ON TABLE RAG.SourceDocument (Embedding) AS HNSW(Distance='Cosine');
CREATE INDEX ChunkEmbeddingHNSW ON RAG.Chunk (Embedding) AS HNSW(M=16, efConstruction=100, Distance='DotProduct');

INSERT INTO RAG.SourceDocument (DocID, Title, Body, Embedding) VALUES ('PMC001', 'Diabetes and diet', 'Long text; with a semicolon', TO_VECTOR('[0.9,0.1,0,0]', DOUBLE, 4));
INSERT INTO RAG.SourceDocument (DocID, Title, Body, Embedding) VALUES ('PMC002', 'Heart disease', 'Cardiology', TO_VECTOR('0.1,0.9,0,0', DOUBLE, 4));
INSERT INTO RAG.SourceDocument (DocID, Title, Body, Embedding) VALUES ('PMC003', 'Insulin', 'Endocrinology', TO_VECTOR('0.7,0,0.7,0', DOUBLE));
INSERT INTO RAG.Chunk (DocID, ChunkIndex, Text, Embedding) VALUES ('PMC001', 0, 'Diet matters', TO_VECTOR('1,0,0,0', DOUBLE, 4));
INSERT INTO RAG.Chunk (DocID, ChunkIndex, Text, Embedding) VALUES ('PMC001', 1, 'Sugar', TO_VECTOR('0.8,0.2,0,0', DOUBLE, 4));
INSERT INTO RAG.Chunk (DocID, ChunkIndex, Text, Embedding) VALUES ('pmc002', 0, 'Heart', TO_VECTOR('0,1,0,0', DOUBLE, 4));
