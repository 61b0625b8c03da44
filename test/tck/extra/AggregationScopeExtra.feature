Feature: AggregationScopeExtra - aggregates inside expressions iterating over lists

  Scenario: [1] Fail on an aggregate inside a list comprehension projection
    Given any graph
    When executing query:
      """
      UNWIND [1, 2] AS x
      RETURN [y IN [1] | count(y)] AS a
      """
    Then a SyntaxError should be raised at compile time: InvalidAggregation

  Scenario: [2] Fail on an aggregate inside a quantifier predicate
    Given any graph
    When executing query:
      """
      UNWIND [1, 2] AS x
      RETURN all(y IN [1] WHERE count(*) > 0) AS a
      """
    Then a SyntaxError should be raised at compile time: InvalidAggregation

  Scenario: [3] Fail on an aggregate inside a reduce() step
    Given any graph
    When executing query:
      """
      UNWIND [1, 2] AS x
      RETURN reduce(s = 0, y IN [1] | s + sum(y)) AS a
      """
    Then a SyntaxError should be raised at compile time: InvalidAggregation

  Scenario: [4] An aggregate as the list operand is allowed
    Given any graph
    When executing query:
      """
      UNWIND [1, 2] AS x
      RETURN [y IN collect(x) | y * 2] AS a, any(y IN collect(x) WHERE y > 1) AS b,
             reduce(s = 0, y IN collect(x) | s + y) AS c
      """
    Then the result should be, in any order:
      | a      | b    | c |
      | [2, 4] | true | 3 |
    And no side effects
