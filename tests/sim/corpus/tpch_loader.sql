-- A TPC-H-style loader written for IRIS: IDENTITY keys, exact money, keys and foreign keys
-- added after all the tables exist (the order bulk loaders use).
CREATE SCHEMA IF NOT EXISTS TPCH;

CREATE TABLE TPCH.Region (
    RegionKey   INTEGER NOT NULL,
    Name        CHAR(25) NOT NULL,
    Comment     VARCHAR(152)
);

CREATE TABLE TPCH.Nation (
    NationKey   INTEGER NOT NULL,
    Name        CHAR(25) NOT NULL,
    RegionKey   INTEGER NOT NULL,
    Comment     VARCHAR(152)
);

CREATE TABLE TPCH.Customer (
    CustKey     BIGINT IDENTITY,
    Name        VARCHAR(25) NOT NULL,
    NationKey   INTEGER NOT NULL,
    AcctBal     NUMERIC(15,2) NOT NULL,
    MktSegment  CHAR(10) NOT NULL
);

CREATE TABLE TPCH.Orders (
    OrderKey    INTEGER IDENTITY,
    CustKey     BIGINT NOT NULL,
    OrderStatus CHAR(1) NOT NULL,
    TotalPrice  DECIMAL(15,2) NOT NULL,
    OrderDate   DATE NOT NULL
);

ALTER TABLE TPCH.Region ADD CONSTRAINT RegionPK PRIMARY KEY (RegionKey);
ALTER TABLE TPCH.Nation ADD CONSTRAINT NationPK PRIMARY KEY (NationKey);
ALTER TABLE TPCH.Nation ADD CONSTRAINT NationRegion FOREIGN KEY (RegionKey) REFERENCES TPCH.Region (RegionKey);
ALTER TABLE TPCH.Customer ADD CONSTRAINT CustomerNation FOREIGN KEY (NationKey) REFERENCES TPCH.Nation (NationKey);
ALTER TABLE TPCH.Orders ADD CONSTRAINT OrdersCustomer FOREIGN KEY (CustKey) REFERENCES TPCH.Customer (CustKey);
CREATE BITMAP INDEX OrdersStatus ON TPCH.Orders (OrderStatus);

INSERT INTO TPCH.Region (RegionKey, Name, Comment) VALUES (0, 'AFRICA', 'lar deposits; blithely');
INSERT INTO TPCH.Region (RegionKey, Name, Comment) VALUES (1, 'AMERICA', 'hs use ironic requests');
INSERT INTO TPCH.Region (RegionKey, Name, Comment) VALUES (3, 'EUROPE', 'ly final courts');
INSERT INTO TPCH.Nation (NationKey, Name, RegionKey, Comment) VALUES (1, 'ARGENTINA', 1, 'al foxes');
INSERT INTO TPCH.Nation (NationKey, Name, RegionKey, Comment) VALUES (7, 'GERMANY', 3, 'l platelets');
INSERT INTO TPCH.Nation (NationKey, Name, RegionKey, Comment) VALUES (15, 'MOROCCO', 0, 'rns');
INSERT %NOLOCK INTO TPCH.Customer (Name, NationKey, AcctBal, MktSegment) VALUES ('Customer#000000001', 15, 711.56, 'BUILDING');
INSERT %NOLOCK INTO TPCH.Customer (Name, NationKey, AcctBal, MktSegment) VALUES ('Customer#000000002', 7, 121.65, 'AUTOMOBILE');
INSERT %NOLOCK INTO TPCH.Customer (Name, NationKey, AcctBal, MktSegment) VALUES ('Customer#000000003', 1, 7498.125, 'automobile');
INSERT INTO TPCH.Orders (CustKey, OrderStatus, TotalPrice, OrderDate) VALUES (1, 'O', 173665.47, {d '1996-01-02'});
INSERT INTO TPCH.Orders (CustKey, OrderStatus, TotalPrice, OrderDate) VALUES (2, 'F', 46929.18, {d '1993-10-14'});
INSERT INTO TPCH.Orders (CustKey, OrderStatus, TotalPrice, OrderDate) VALUES (2, 'f', 193846.25, {d '1994-07-30'});
INSERT INTO TPCH.Orders (CustKey, OrderStatus, TotalPrice, OrderDate) VALUES (3, 'O', 32151.78, {d '1995-10-11'});
TUNE TABLE TPCH.Orders;
