-- A healthcare demo: mixed-case data as it arrives from several systems, a SERIAL visit
-- number, a ROWVERSION, dates computed with DATEADD, and statements that only matter on a
-- real server (privileges, statistics).
CREATE SCHEMA Demo;

CREATE TABLE Demo.Patient (
    MRN        VARCHAR(12) NOT NULL UNIQUE,
    LastName   VARCHAR(40) NOT NULL,
    FirstName  VARCHAR(40),
    Gender     CHAR(1),
    Status     VARCHAR(10) DEFAULT 'ACTIVE',
    BirthDate  DATE,
    Version    ROWVERSION
);

CREATE TABLE Demo.Visit (
    VisitNo    SERIAL,
    MRN        VARCHAR(12) NOT NULL,
    VisitDate  TIMESTAMP,
    FollowUp   TIMESTAMP,
    Ward       VARCHAR(20) COLLATE SQLSTRING,
    Charge     NUMERIC(8,2),
    CONSTRAINT VisitPatient FOREIGN KEY (MRN) REFERENCES Demo.Patient (MRN)
);

INSERT INTO Demo.Patient (MRN, LastName, FirstName, Gender, Status, BirthDate) VALUES ('MRN-0001', 'Garcia', 'Ana', 'F', 'Active', '1980-04-12');
INSERT INTO Demo.Patient (MRN, LastName, FirstName, Gender, Status, BirthDate) VALUES ('MRN-0002', 'GARCIA', 'Luis', 'M', 'ACTIVE ', '1975-11-30');
INSERT INTO Demo.Patient (MRN, LastName, FirstName, Gender, Status, BirthDate) VALUES ('MRN-0003', 'o''Brien', 'Sean', 'm', 'inactive', '1990-01-31');
INSERT INTO Demo.Patient (MRN, LastName, FirstName, Gender, BirthDate) VALUES ('MRN-0004', 'Nguyen', 'Mai', 'f', '2001-07-04');
INSERT OR UPDATE Demo.Patient (MRN, LastName, FirstName, Gender, Status) VALUES ('mrn-0003', 'O''Brien', 'Sean', 'M', 'Inactive');

INSERT INTO Demo.Visit (MRN, VisitDate, FollowUp, Ward, Charge) VALUES ('MRN-0001', '2024-01-31 09:30:00', DATEADD('month', 1, '2024-01-31 09:30:00'), 'Cardio', 120.5);
INSERT INTO Demo.Visit (MRN, VisitDate, FollowUp, Ward, Charge) VALUES ('MRN-0002', '2024-02-10 14:00:00', DATEADD(dd, 14, '2024-02-10 14:00:00'), 'cardio', 80);
INSERT INTO Demo.Visit (MRN, VisitDate, FollowUp, Ward, Charge) VALUES ('MRN-0003', {ts '2024-03-01 08:15:00'}, NULL, 'Ortho', 45.255);
UPDATE Demo.Patient SET FirstName = 'Ana María' WHERE MRN = 'mrn-0001';

GRANT SELECT ON Demo.Patient TO DemoReader;
TUNE TABLE Demo.Visit;
