Feature: GraphFunctionsExtra - labels(), keys(), size() on edge inputs

  Scenario Outline: [1] `labels()` failing on invalid arguments at runtime
    Given an empty graph
    And having executed:
      """
      CREATE ()-[:T]->()
      """
    When executing query:
      """
      MATCH p = (n)-[r:T]->()
      RETURN [x IN [n, <invalid>] | labels(x) ] AS list
      """
    Then a TypeError should be raised at runtime: InvalidArgumentValue

    Examples:
      | invalid |
      | r       |
      | p       |
      | 1       |
      | 'x'     |

  Scenario Outline: [2] `keys()` failing on invalid arguments at runtime
    Given an empty graph
    And having executed:
      """
      CREATE ()-[:T]->()
      """
    When executing query:
      """
      MATCH p = (n)-[r:T]->()
      RETURN [x IN [n, <invalid>] | keys(x) ] AS list
      """
    Then a TypeError should be raised at runtime: InvalidArgumentValue

    Examples:
      | invalid |
      | p       |
      | 1       |
      | [1]     |

  Scenario: [3] `labels()` on a path fails at compile time
    Given any graph
    When executing query:
      """
      MATCH p = (a)
      RETURN labels(p) AS l
      """
    Then a SyntaxError should be raised at compile time: InvalidArgumentType

  Scenario: [4] `keys()` on nodes, relationships, maps and null
    Given an empty graph
    And having executed:
      """
      CREATE (:A {name: 'x', age: 1})-[:T {w: 1}]->()
      """
    When executing query:
      """
      MATCH (n:A)-[r:T]->(m)
      RETURN keys(n) AS kn, keys(r) AS kr, keys(m) AS km, keys({a: 1, b: null}) AS kmap, keys(null) AS knull
      """
    Then the result should be, in any order:
      | kn              | kr    | km | kmap       | knull |
      | ['name', 'age'] | ['w'] | [] | ['a', 'b'] | null  |
    And no side effects

  Scenario: [5] `size()` of lists, strings, null and a pattern comprehension
    Given an empty graph
    And having executed:
      """
      CREATE (a:A)-[:T]->(), (a)-[:T]->()
      """
    When executing query:
      """
      MATCH (a:A)
      RETURN size([1, null, 3]) AS a, size([]) AS b, size(null) AS c, size('') AS d,
             size([(a)-->() | 1]) AS e
      """
    Then the result should be, in any order:
      | a | b | c    | d | e |
      | 3 | 0 | null | 0 | 2 |
    And no side effects
