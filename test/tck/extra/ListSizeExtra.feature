Feature: ListSizeExtra - size() on paths and pattern predicates; list comprehensions

  Scenario: [1] size on path
    Given any graph
    When executing query:
      """
      MATCH p = (a)-[*]->(b)
      RETURN size(p)
      """
    Then a SyntaxError should be raised at compile time: InvalidArgumentType

  Scenario: [2] size on pattern predicate
    Given any graph
    When executing query:
      """
      MATCH (a), (b)
      RETURN size((a)-[*]->(b)) AS size
      """
    Then a SyntaxError should be raised at compile time: InvalidArgumentType

  Scenario: [3] size of list property
    Given an empty graph
    When executing query:
      """
      CREATE (n {numbers: [1, 2, 3]})
      RETURN size(n.numbers)
      """
    Then the result should be, in any order:
      | size(n.numbers) |
      | 3               |
    And the side effects should be:
      | +nodes      | 1 |
      | +properties | 1 |

  Scenario: [4] size pattern comprehension existence
    Given an empty graph
    And having executed:
      """
      CREATE (a:X {name: 'a'}), (b:X {name: 'b'}), (a)-[:T]->(b)
      """
    When executing query:
      """
      MATCH (n:X)
      RETURN n, size([(n)--() | 1]) > 0 AS b
      """
    Then the result should be, in any order:
      | n                | b    |
      | (:X {name: 'a'}) | true |
      | (:X {name: 'b'}) | true |
    And no side effects

  Scenario: [5] list comprehension with pattern
    Given an empty graph
    And having executed:
      """
      CREATE (a:A {name: 'a'}), (b:B {name: 'b'}), (a)-[:T]->(b)
      """
    When executing query:
      """
      MATCH p = (n:A)-->()
      RETURN [x IN nodes(p) WHERE x:B | x.name] AS l, [x IN collect(n.name) | x + '!'] AS m
      """
    Then the result should be, in any order:
      | l     | m      |
      | ['b'] | ['a!'] |
    And no side effects

  Scenario: [6] list comprehension using outer var and nested
    Given any graph
    When executing query:
      """
      WITH 2 AS k
      RETURN [x IN [1, 2, 3] WHERE x <> k | [y IN range(1, x) | y * k]] AS l
      """
    Then the result should be, in any order:
      | l                   |
      | [[2], [2, 4, 6]]    |
    And no side effects
