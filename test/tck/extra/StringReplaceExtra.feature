Feature: StringReplaceExtra - replace() edge inputs (Neo4j semantics, Java String.replace)

  Scenario: [1] replace() with an empty search string inserts the replacement around every character
    Given any graph
    When executing query:
      """
      RETURN replace('abc', '', '-') AS a, replace('', '', '-') AS b, replace('aaa', 'a', 'bb') AS c
      """
    Then the result should be, in any order:
      | a         | b   | c        |
      | '-a-b-c-' | '-' | 'bbbbbb' |
    And no side effects
