Feature: DynamicLabelsExtra - Neo4j 5 dynamic labels $(expr) in SET, REMOVE, CREATE, MERGE, MATCH and WHERE

  Scenario: [1] SET and REMOVE labels from expressions
    Given an empty graph
    And having executed:
      """
      CREATE (:A {k: 'X'}), (:A {k: 'Y'})
      """
    When executing query:
      """
      MATCH (n:A) SET n:$(n.k), n:$(['Z', 'W']) REMOVE n:$('A')
      RETURN n.k AS k, labels(n) AS l ORDER BY k
      """
    Then the result should be, in order:
      | k   | l               |
      | 'X' | ['X', 'Z', 'W'] |
      | 'Y' | ['Y', 'Z', 'W'] |
    And the side effects should be:
      | +labels | 4 |
      | -labels | 1 |

  Scenario: [2] CREATE and MERGE with a dynamic label
    Given an empty graph
    When executing query:
      """
      WITH 'Person' AS label
      CREATE (a:$(label) {name: 'a'})
      MERGE (b:$(label) {name: 'a'})
      RETURN labels(a) AS la, a = b AS same
      """
    Then the result should be, in any order:
      | la         | same |
      | ['Person'] | true |
    And the side effects should be:
      | +nodes      | 1 |
      | +labels     | 1 |
      | +properties | 1 |

  Scenario: [3] MATCH and WHERE with a dynamic label
    Given an empty graph
    And having executed:
      """
      CREATE (:A), (:A:B), (:C)
      """
    When executing query:
      """
      WITH 'A' AS a MATCH (n:$(a)) WHERE n:$('B') RETURN count(n) AS c
      """
    Then the result should be, in any order:
      | c |
      | 1 |
    And no side effects

  Scenario: [4] A dynamic label must be a string or a list of strings
    Given any graph
    When executing query:
      """
      CREATE (n:$(1))
      """
    Then a SyntaxError should be raised at compile time: InvalidArgumentType

  Scenario: [5] A dynamic label given at runtime as a number is refused
    Given an empty graph
    And having executed:
      """
      CREATE (:A {k: 1})
      """
    When executing query:
      """
      MATCH (n:A) SET n:$(n.k)
      """
    Then a TypeError should be raised at runtime: InvalidArgumentType
