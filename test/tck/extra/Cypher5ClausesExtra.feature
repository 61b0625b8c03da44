Feature: Cypher5ClausesExtra - FINISH, the CYPHER options prefix, round(x, 0), COLLECT subqueries

  Scenario: [1] FINISH ends a read query without rows
    Given an empty graph
    And having executed:
      """
      CREATE (:N), (:N)
      """
    When executing query:
      """
      MATCH (n:N) FINISH
      """
    Then the result should be empty
    And no side effects

  Scenario: [2] FINISH after an update keeps the update
    Given an empty graph
    And having executed:
      """
      CREATE (:N), (:N)
      """
    When executing query:
      """
      MATCH (n:N) SET n.x = 1 FINISH
      """
    Then the result should be empty
    And the side effects should be:
      | +properties | 2 |

  Scenario: [3] FINISH must be the last clause
    Given any graph
    When executing query:
      """
      MATCH (n) FINISH RETURN n
      """
    Then a SyntaxError should be raised at compile time: UnexpectedSyntax

  Scenario: [4] finish is still a variable name
    Given any graph
    When executing query:
      """
      WITH 1 AS finish RETURN finish
      """
    Then the result should be, in any order:
      | finish |
      | 1      |
    And no side effects

  Scenario: [5] The CYPHER prefix with a version and options is accepted
    Given any graph
    When executing query:
      """
      CYPHER 5 runtime=slotted planner=cost RETURN 1 AS x
      """
    Then the result should be, in any order:
      | x |
      | 1 |
    And no side effects

  Scenario: [6] The CYPHER prefix without a version
    Given any graph
    When executing query:
      """
      CYPHER runtime=pipelined RETURN 2 AS x
      """
    Then the result should be, in any order:
      | x |
      | 2 |
    And no side effects

  Scenario: [7] Another Cypher version is refused
    Given any graph
    When executing query:
      """
      CYPHER 4 RETURN 1 AS x
      """
    Then a SyntaxError should be raised at compile time: UnsupportedCypherVersion

  Scenario: [8] round(x, 0) rounds halves as round(x) does
    Given any graph
    When executing query:
      """
      RETURN round(-1.5, 0) AS a, round(-1.5) AS b, round(1.5, 0) AS c, round(-2.55, 1) AS d,
             round(2.55, 1) AS e, round(-1.5, 0, 'HALF_UP') AS f
      """
    Then the result should be, in any order:
      | a    | b    | c   | d    | e   | f    |
      | -1.0 | -1.0 | 2.0 | -2.5 | 2.6 | -2.0 |
    And no side effects

  Scenario: [9] COLLECT subquery collects its one column per outer row
    Given an empty graph
    And having executed:
      """
      CREATE (:A {n: 1})-[:R]->(:B {n: 2}), (:A {n: 1})-[:R]->(:B {n: 3}), (:A {n: 4})
      """
    When executing query:
      """
      MATCH (a:A)
      RETURN a.n AS n, COLLECT { MATCH (a)-[:R]->(b) RETURN b.n AS m ORDER BY m } AS out
      ORDER BY n, out
      """
    Then the result should be, in order:
      | n | out |
      | 1 | [2] |
      | 1 | [3] |
      | 4 | []  |
    And no side effects

  Scenario: [10] COLLECT subquery keeps the subquery's order
    Given any graph
    When executing query:
      """
      RETURN COLLECT { UNWIND [3, 1, 2] AS x RETURN x ORDER BY x DESC } AS l
      """
    Then the result should be, in any order:
      | l         |
      | [3, 2, 1] |
    And no side effects

  Scenario: [11] COLLECT subquery must return exactly one column
    Given any graph
    When executing query:
      """
      RETURN COLLECT { UNWIND [1] AS x RETURN x, x AS y } AS l
      """
    Then a SyntaxError should be raised at compile time: InvalidClauseComposition

  Scenario: [12] COLLECT subquery cannot update
    Given any graph
    When executing query:
      """
      RETURN COLLECT { CREATE (n) RETURN n } AS l
      """
    Then a SyntaxError should be raised at compile time: InvalidClauseComposition
