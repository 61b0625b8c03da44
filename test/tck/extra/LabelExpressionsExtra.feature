Feature: LabelExpressionsExtra - Neo4j 5 label and type expressions, inline pattern WHERE

  Background:
    Given an empty graph
    And having executed:
      """
      CREATE (:A {n: 1})-[:R {w: 1}]->(:B {n: 2})-[:S {w: 5}]->(:A:B {n: 3}),
             (:C {n: 4})-[:T]->(:A {n: 5})
      """

  Scenario: [1] Disjunction, conjunction, negation and wildcard on node labels
    When executing query:
      """
      MATCH (n:A|B) WITH collect(n.n) AS ors
      MATCH (m:A&B) WITH ors, collect(m.n) AS ands
      MATCH (k:!A) WITH ors, ands, collect(k.n) AS nots
      MATCH (w:%) RETURN ors, ands, nots, count(w) AS anys
      """
    Then the result should be, in any order:
      | ors          | ands | nots   | anys |
      | [1, 2, 3, 5] | [3]  | [2, 4] | 5    |
    And no side effects

  Scenario: [2] Parenthesised label expressions
    When executing query:
      """
      MATCH (n:(A|C)&!B) RETURN n.n AS n ORDER BY n
      """
    Then the result should be, in order:
      | n |
      | 1 |
      | 4 |
      | 5 |
    And no side effects

  Scenario: [3] Label expressions in WHERE
    When executing query:
      """
      MATCH (n) WHERE n:A|C AND n:!B RETURN n.n AS n ORDER BY n
      """
    Then the result should be, in order:
      | n |
      | 1 |
      | 4 |
      | 5 |
    And no side effects

  Scenario: [4] Relationship type expressions
    When executing query:
      """
      MATCH ()-[r:!R]->() WITH collect(type(r)) AS notR
      MATCH ()-[s:R|S]->() WITH notR, collect(type(s)) AS rs
      MATCH p = ()-[:!T*]->() RETURN notR, rs, max(length(p)) AS longest
      """
    Then the result should be, in any order:
      | notR       | rs         | longest |
      | ['S', 'T'] | ['R', 'S'] | 2       |
    And no side effects

  Scenario: [5] A label expression in a comprehension's WHERE stops at the projection bar
    When executing query:
      """
      MATCH (n:A) RETURN [x IN [n] WHERE x:B | x.n] AS l ORDER BY size(l), l
      """
    Then the result should be, in order:
      | l   |
      | []  |
      | []  |
      | [3] |
    And no side effects

  Scenario: [6] Inline WHERE in node and relationship patterns
    When executing query:
      """
      MATCH (a:A WHERE a.n > 1)-[r WHERE r.w > 2]-(b) RETURN a.n AS a, b.n AS b
      """
    Then the result should be, in any order:
      | a | b |
      | 3 | 2 |
    And no side effects

  Scenario: [7] Inline WHERE in a pattern expression
    When executing query:
      """
      MATCH (n) WHERE exists { (n)-[r WHERE r.w = 5]->() } RETURN n.n AS n
      """
    Then the result should be, in any order:
      | n |
      | 2 |
    And no side effects

  Scenario: [8] CREATE refuses a label disjunction
    When executing query:
      """
      CREATE (n:A|B)
      """
    Then a SyntaxError should be raised at compile time: InvalidLabelExpression

  Scenario: [9] MERGE refuses inline WHERE
    When executing query:
      """
      MERGE (n:A WHERE n.n = 1)
      """
    Then a SyntaxError should be raised at compile time: InvalidPatternPredicate

  Scenario: [10] Inline WHERE is refused on a variable-length relationship
    When executing query:
      """
      MATCH (a)-[r* WHERE size(r) > 1]->(b) RETURN a
      """
    Then a SyntaxError should be raised at compile time: InvalidPatternPredicate
