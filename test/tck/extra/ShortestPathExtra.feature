Feature: ShortestPathExtra - shortestPath / allShortestPaths edge cases (Neo4j semantics)

  Background:
    Given an empty graph
    And having executed:
      """
      CREATE (a:A {n: 1})-[:R]->(b {n: 2})-[:S]->(c:C {n: 3}),
             (a)-[:S]->(d {n: 4})-[:S]->(e {n: 5})-[:S]->(c)
      """

  Scenario: [1] WHERE predicates on the path steer the search instead of filtering afterwards
    When executing query:
      """
      MATCH p = shortestPath((a:A)-[*]-(c:C))
      WHERE none(x IN nodes(p) WHERE x.n = 2)
      RETURN [x IN nodes(p) | x.n] AS ns
      """
    Then the result should be, in any order:
      | ns           |
      | [1, 4, 5, 3] |
    And no side effects

  Scenario: [2] Predicates on the relationships of allShortestPaths
    When executing query:
      """
      MATCH p = allShortestPaths((a:A)-[rs*]->(c:C))
      WHERE all(r IN rs WHERE type(r) = 'S')
      RETURN length(p) AS l
      """
    Then the result should be, in any order:
      | l |
      | 3 |
    And no side effects

  Scenario: [3] A lower bound of zero admits the zero-length path
    When executing query:
      """
      MATCH p = allShortestPaths((a:A)-[*0..]->(x))
      RETURN x.n AS n, length(p) AS l
      """
    Then the result should be, in any order:
      | n | l |
      | 1 | 0 |
      | 2 | 1 |
      | 3 | 2 |
      | 4 | 1 |
      | 5 | 2 |
    And no side effects

  Scenario: [4] shortestPath from a node to itself with a lower bound of zero
    When executing query:
      """
      MATCH (a:A)
      MATCH p = shortestPath((a)-[*0..]->(a))
      RETURN length(p) AS l
      """
    Then the result should be, in any order:
      | l |
      | 0 |
    And no side effects
