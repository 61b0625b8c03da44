Feature: PathLengthExtra - length() takes only paths (Neo4j 4.0+; size() is for strings and lists)

  Scenario: [1] Failing when using `length()` on a string
    Given any graph
    When executing query:
      """
      RETURN length('abc') AS l
      """
    Then a SyntaxError should be raised at compile time: InvalidArgumentType

  Scenario: [2] Failing when using `length()` on a list
    Given any graph
    When executing query:
      """
      WITH [1, 2, 3] AS list
      RETURN length(list) AS l
      """
    Then a SyntaxError should be raised at compile time: InvalidArgumentType

  Scenario: [3] `length()` of null and of a path
    Given an empty graph
    And having executed:
      """
      CREATE (:A)-[:R]->(:B)
      """
    When executing query:
      """
      MATCH p = (:A)-->(:B)
      RETURN length(p) AS l, length(null) AS n
      """
    Then the result should be, in any order:
      | l | n    |
      | 1 | null |
    And no side effects
