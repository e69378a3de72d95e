-- A hand-written legacy schema for MariaDB/MySQL: no ORM ever touched it.
-- Natural and composite keys, CHAR codes, ENUM and SET, TINYINT(1) flags, UNSIGNED and
-- MEDIUMINT counters, JSON (a checked LONGTEXT on MariaDB), CHECK constraints, a self-reference,
-- a cycle through nullable FKs, reserved words and spaces in names, a MyISAM table, a table
-- without a primary key and a view. Used by fixturekit's reflection tests.

CREATE TABLE country (
    code CHAR(2) NOT NULL PRIMARY KEY,
    name VARCHAR(80) NOT NULL UNIQUE,
    iso3 CHAR(3) NOT NULL,
    population BIGINT UNSIGNED,
    CONSTRAINT country_iso3 CHECK (iso3 REGEXP '^[A-Z]{3}$')
) ENGINE=InnoDB COMMENT='ISO 3166 countries';

CREATE TABLE `Customer` (
    `CustomerID` INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    `First Name` VARCHAR(40) NOT NULL,
    `user` TEXT,
    email VARCHAR(254) NOT NULL COMMENT 'lower case',
    country_code CHAR(2) NOT NULL,
    referred_by INT UNSIGNED NULL,
    is_active TINYINT(1) NOT NULL DEFAULT 1,
    visits MEDIUMINT UNSIGNED NOT NULL DEFAULT 0,
    tier ENUM('basic', 'plus', 'gold') NOT NULL DEFAULT 'basic',
    channels SET('mail', 'phone', 'sms'),
    metadata JSON,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NULL ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY customer_email (email),
    CONSTRAINT customer_country FOREIGN KEY (country_code) REFERENCES country (code),
    CONSTRAINT customer_referrer FOREIGN KEY (referred_by) REFERENCES `Customer` (`CustomerID`),
    CONSTRAINT customer_email_lower CHECK (email = LOWER(email))
) ENGINE=InnoDB;

CREATE TABLE item (
    sku VARCHAR(20) NOT NULL PRIMARY KEY,
    kind ENUM('raw', 'finished', 'spare part') NOT NULL,
    description TINYTEXT,
    weight_kg FLOAT CHECK (weight_kg > 0),
    price DECIMAL(10, 2) NOT NULL,
    made_in YEAR,
    CONSTRAINT item_price CHECK (price >= 0)
) ENGINE=InnoDB;

CREATE TABLE orders (
    company_code CHAR(4) NOT NULL,
    order_no INT NOT NULL,
    customer_id INT UNSIGNED NOT NULL,
    status ENUM('new', 'paid', 'shipped', 'cancelled') NOT NULL DEFAULT 'new',
    `order` SMALLINT NOT NULL,
    placed_on DATE NOT NULL,
    shipped_on DATE,
    PRIMARY KEY (company_code, order_no),
    CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES `Customer` (`CustomerID`),
    CONSTRAINT orders_order CHECK (`order` BETWEEN 1 AND 9),
    CONSTRAINT orders_dates CHECK (shipped_on IS NULL OR shipped_on >= placed_on)
) ENGINE=InnoDB COMMENT='One row per order';

CREATE TABLE `order line` (
    company_code CHAR(4) NOT NULL,
    order_no INT NOT NULL,
    line_no SMALLINT NOT NULL,
    sku VARCHAR(20) NOT NULL,
    qty INT NOT NULL,
    unit_price DECIMAL(10, 2) NOT NULL,
    PRIMARY KEY (company_code, order_no, line_no),
    CONSTRAINT line_order FOREIGN KEY (company_code, order_no)
        REFERENCES orders (company_code, order_no) ON DELETE CASCADE,
    CONSTRAINT line_item FOREIGN KEY (sku) REFERENCES item (sku),
    CONSTRAINT line_qty CHECK (qty > 0)
) ENGINE=InnoDB;

-- A cycle through nullable foreign keys.
CREATE TABLE department (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(60) NOT NULL UNIQUE,
    manager_id BIGINT NULL
) ENGINE=InnoDB;
CREATE TABLE employee (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    department_id INT NULL,
    boss_id BIGINT NULL,
    badge CHAR(6) NOT NULL,
    hired DATE,
    UNIQUE KEY employee_badge (department_id, badge),
    CONSTRAINT employee_department FOREIGN KEY (department_id) REFERENCES department (id),
    CONSTRAINT employee_boss FOREIGN KEY (boss_id) REFERENCES employee (id)
) ENGINE=InnoDB;
ALTER TABLE department ADD CONSTRAINT department_manager
    FOREIGN KEY (manager_id) REFERENCES employee (id);

-- MyISAM: no transactions, no foreign keys; and no primary key either.
CREATE TABLE audit_log (
    `at` DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    actor VARCHAR(64),
    action VARCHAR(16) NOT NULL,
    payload BLOB,
    CONSTRAINT audit_action CHECK (action IN ('insert', 'update', 'delete'))
) ENGINE=MyISAM;

CREATE VIEW paid_orders AS SELECT * FROM orders WHERE status = 'paid';
