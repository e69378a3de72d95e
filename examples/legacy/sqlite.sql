-- A hand-written legacy schema for SQLite: no ORM ever touched it.
-- Type names as people write them (VARCHAR without length, VARCHAR2, NVARCHAR, NUMERIC, an
-- untyped column), rowid aliases and columns that only look like them, a WITHOUT ROWID table,
-- a reference to a parent's key without naming the column, inline and table CHECK constraints,
-- composite natural keys, a self-reference, quoted names with spaces, reserved words, a partial
-- unique index, a table without a primary key and a view. Used by fixturekit's reflection tests.

PRAGMA foreign_keys = ON;

CREATE TABLE country (
    code CHAR(2) PRIMARY KEY,
    name VARCHAR NOT NULL UNIQUE,
    iso3 CHAR(3) NOT NULL CHECK (length(iso3) = 3),
    population BIGINT CHECK (population >= 0)
);

CREATE TABLE "Customer" (
    "CustomerID" INTEGER PRIMARY KEY,
    "First Name" NVARCHAR(40) NOT NULL,
    "user" TEXT,
    email VARCHAR2(254) NOT NULL,
    country_code CHAR(2) NOT NULL REFERENCES country,
    referred_by INTEGER REFERENCES "Customer" ("CustomerID"),
    is_active BOOLEAN NOT NULL DEFAULT 1,
    balance NUMERIC NOT NULL DEFAULT 0,
    notes,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT customer_email_lower CHECK (email = lower(email))
);
CREATE UNIQUE INDEX customer_email ON "Customer" (email);
CREATE UNIQUE INDEX customer_user_present ON "Customer" ("user") WHERE "user" IS NOT NULL;

-- INT PRIMARY KEY is not a rowid alias: SQLite assigns nothing here.
CREATE TABLE item (
    sku INT PRIMARY KEY,
    kind VARCHAR(12) NOT NULL CHECK (kind IN ('raw', 'finished', 'spare part')),
    description TEXT,
    weight_kg REAL,
    price DECIMAL(10, 2) NOT NULL CHECK (price >= 0)
);

CREATE TABLE orders (
    company_code CHAR(4) NOT NULL,
    order_no INTEGER NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES "Customer" ("CustomerID"),
    status VARCHAR(9) NOT NULL DEFAULT 'new',
    "order" SMALLINT NOT NULL,
    placed_on DATE NOT NULL,
    shipped_on DATE,
    PRIMARY KEY (company_code, order_no),
    CONSTRAINT orders_order CHECK ("order" BETWEEN 1 AND 9),
    CHECK (shipped_on IS NULL OR shipped_on >= placed_on)
);

CREATE TABLE "order line" (
    company_code CHAR(4) NOT NULL,
    order_no INTEGER NOT NULL,
    line_no SMALLINT NOT NULL,
    sku INT NOT NULL REFERENCES item (sku),
    qty INTEGER NOT NULL CHECK (qty > 0),
    unit_price NUMERIC(10, 2) NOT NULL,
    PRIMARY KEY (company_code, order_no, line_no),
    FOREIGN KEY (company_code, order_no) REFERENCES orders (company_code, order_no)
        ON DELETE CASCADE
) WITHOUT ROWID;

-- A cycle through nullable foreign keys; SQLite checks them at statement end.
CREATE TABLE department (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    manager_id INTEGER REFERENCES employee (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE employee (
    id INTEGER NOT NULL,
    department_id INTEGER REFERENCES department (id),
    boss_id INTEGER REFERENCES employee (id),
    badge CHAR(6) NOT NULL,
    hired DATE,
    PRIMARY KEY (id),
    UNIQUE (department_id, badge)
);

-- No primary key.
CREATE TABLE audit_log (
    "at" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    actor TEXT,
    action VARCHAR(16) NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    payload BLOB
);

CREATE VIEW paid_orders AS SELECT * FROM orders WHERE status = 'paid';
