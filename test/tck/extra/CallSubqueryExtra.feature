Feature: CallSubqueryExtra - CALL { ... } subqueries (Neo4j 5)

  Scenario: [1] Importing WITH: the body runs once per incoming row
    Given any graph
    When executing query:
      """
      UNWIND [1, 2] AS x
      CALL {
        WITH x
        RETURN x * 10 AS y
      }
      RETURN x, y
      """
    Then the result should be, in any order:
      | x | y  |
      | 1 | 10 |
      | 2 | 20 |
    And no side effects

  Scenario: [2] Variable scope clause and aggregation per row
    Given any graph
    When executing query:
      """
      UNWIND [1, 2, 3] AS x
      CALL (x) {
        UNWIND range(1, x) AS y
        RETURN count(y) AS c, collect(y) AS l
      }
      RETURN x, c, l
      """
    Then the result should be, in any order:
      | x | c | l         |
      | 1 | 1 | [1]       |
      | 2 | 2 | [1, 2]    |
      | 3 | 3 | [1, 2, 3] |
    And no side effects

  Scenario: [3] A row the body yields nothing for is dropped; UNION in the body
    Given an empty graph
    When executing query:
      """
      UNWIND [1, 2] AS x
      CALL {
        WITH x
        MATCH (n:Missing)
        RETURN n.v AS v
        UNION
        WITH x
        WITH x WHERE x > 1
        RETURN x AS v
      }
      RETURN x, v
      """
    Then the result should be, in any order:
      | x | v |
      | 2 | 2 |
    And no side effects

  Scenario: [4] A unit subquery updates and passes rows through
    Given an empty graph
    And having executed:
      """
      CREATE (:N {v: 1}), (:N {v: 2})
      """
    When executing query:
      """
      MATCH (n:N)
      CALL {
        WITH n
        CREATE (:M {v: n.v * 10})
      }
      RETURN n.v AS v
      """
    Then the result should be, in any order:
      | v |
      | 1 |
      | 2 |
    And the side effects should be:
      | +nodes      | 2 |
      | +labels     | 1 |
      | +properties | 2 |

  Scenario: [5] Returned variables must not shadow outer variables
    Given any graph
    When executing query:
      """
      UNWIND [1, 2] AS x
      CALL {
        RETURN 5 AS x
      }
      RETURN x
      """
    Then a SyntaxError should be raised at compile time: VariableAlreadyBound

  Scenario: [6] The body does not see outer variables it does not import
    Given any graph
    When executing query:
      """
      UNWIND [1, 2] AS x
      CALL {
        RETURN x AS y
      }
      RETURN y
      """
    Then a SyntaxError should be raised at compile time: UndefinedVariable

  Scenario: [7] OPTIONAL CALL keeps a row the body yields nothing for
    Given any graph
    When executing query:
      """
      UNWIND [1, 2] AS x
      OPTIONAL CALL (x) {
        WITH x WHERE x > 1
        RETURN x * 10 AS y
      }
      RETURN x, y
      """
    Then the result should be, in any order:
      | x | y    |
      | 1 | null |
      | 2 | 20   |
    And no side effects
