Feature: CountSubqueryExtra - COUNT { ... } subqueries (Neo4j 5)

  Background:
    Given an empty graph
    And having executed:
      """
      CREATE (a:A {v: 1})-[:R]->(:B {v: 2}), (a)-[:R]->(:B {v: 3})
      """

  Scenario: [1] COUNT over a pattern counts its matches per row
    When executing query:
      """
      MATCH (n)
      RETURN n.v AS v, COUNT { (n)-->() } AS c
      """
    Then the result should be, in any order:
      | v | c |
      | 1 | 2 |
      | 2 | 0 |
      | 3 | 0 |
    And no side effects

  Scenario: [2] COUNT over a pattern with WHERE, used in a predicate
    When executing query:
      """
      MATCH (n)
      WHERE COUNT { (n)-->(m) WHERE m.v > 2 } = 1
      RETURN n.v AS v
      """
    Then the result should be, in any order:
      | v |
      | 1 |
    And no side effects

  Scenario: [3] COUNT over a full query counts its rows
    When executing query:
      """
      MATCH (a:A)
      RETURN COUNT { MATCH (a)-->(b) RETURN b.v AS x UNION ALL RETURN 0 AS x } AS c,
             COUNT { UNWIND [1, 2, 3] AS y RETURN y } AS d
      """
    Then the result should be, in any order:
      | c | d |
      | 3 | 3 |
    And no side effects
