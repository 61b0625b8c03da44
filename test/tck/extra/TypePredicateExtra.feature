Feature: TypePredicateExtra - type predicate expressions `IS [NOT] :: TYPE` (Neo4j 5)

  Scenario: [1] Simple types, nullability and negation
    Given any graph
    When executing query:
      """
      RETURN 1 IS :: INTEGER AS a, 'x' IS :: INTEGER AS b, null IS :: INTEGER AS c,
             null IS :: INTEGER NOT NULL AS d, 1 IS NOT :: STRING AS e, 1.5 IS :: FLOAT AS f,
             true IS :: BOOLEAN AS g, {k: 1} IS :: MAP AS h, 1 IS :: ANY AS i
      """
    Then the result should be, in any order:
      | a    | b     | c    | d     | e    | f    | g    | h    | i    |
      | true | false | true | false | true | true | true | true | true |
    And no side effects

  Scenario: [2] List types and unions
    Given any graph
    When executing query:
      """
      RETURN [1, 2] IS :: LIST<INTEGER> AS a, [1, 'a'] IS :: LIST<INTEGER> AS b,
             [1, 'a'] IS :: LIST<INTEGER | STRING> AS c, [] IS :: LIST<NOTHING> AS d,
             [1, null] IS :: LIST<INTEGER NOT NULL> AS e, 1 IS :: ANY<STRING | INTEGER> AS f
      """
    Then the result should be, in any order:
      | a    | b     | c    | d    | e     | f    |
      | true | false | true | true | false | true |
    And no side effects

  Scenario: [3] Graph and temporal types
    Given an empty graph
    And having executed:
      """
      CREATE ()-[:R]->()
      """
    When executing query:
      """
      MATCH p = (n)-[r]->(m)
      RETURN n IS :: NODE AS a, r IS :: RELATIONSHIP AS b, p IS :: PATH AS c, r IS :: NODE AS d,
             date('2020-01-01') IS :: DATE AS e, localtime('10:00') IS :: LOCAL TIME AS f,
             datetime('2020-01-01T00:00Z') IS :: ZONED DATETIME AS g
      """
    Then the result should be, in any order:
      | a    | b    | c    | d     | e    | f    | g    |
      | true | true | true | false | true | true | true |
    And no side effects
